namespace SwarmEdge.Commands.Convert;

/// <summary>
/// A YAML document as YamlDotNet's parser reported it, event for event, grouped into nodes so that entries can
/// be found, removed and added, with every comment kept next to the entry it belongs to. This is not
/// YamlDotNet's representation model (YamlStream), which drops comments: flattening an untouched tree gives back
/// exactly the parser's events.
/// Comments are attached where a reader expects them: block comments above an entry lead it, an inline comment
/// after a value follows it, so removing an entry removes its comments too.
/// </summary>
internal abstract class YamlNode;
