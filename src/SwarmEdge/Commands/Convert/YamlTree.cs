using YamlDotNet.Core.Events;

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

internal sealed class YamlScalar(Scalar scalar) : YamlNode
{
    public Scalar Event { get; set; } = scalar;

    public string Value => Event.Value;
}

internal sealed class YamlAlias(AnchorAlias alias) : YamlNode
{
    public AnchorAlias Event { get; } = alias;
}

internal sealed class YamlMapping(MappingStart start) : YamlNode
{
    public MappingStart Start { get; set; } = start;

    public List<YamlEntry> Entries { get; } = [];

    /// <summary>Comments after the last entry, before the mapping ends.</summary>
    public List<Comment> Trailing { get; } = [];

    public MappingEnd End { get; set; } = new();

    public bool IsFlow => Start.Style == MappingStyle.Flow;

    public YamlEntry? Find(string key) => Entries.FirstOrDefault(e => e.Key is YamlScalar s && s.Value == key);
}

internal sealed class YamlEntry(YamlNode key, YamlNode value)
{
    public List<Comment> Leading { get; } = [];

    public YamlNode Key { get; } = key;

    /// <summary>Comments between the key and its value ("ports: # published").</summary>
    public List<Comment> Between { get; } = [];

    public YamlNode Value { get; set; } = value;

    public List<Comment> Inline { get; } = [];
}

internal sealed class YamlSequence(SequenceStart start) : YamlNode
{
    public SequenceStart Start { get; set; } = start;

    public List<YamlItem> Items { get; } = [];

    public List<Comment> Trailing { get; } = [];

    public SequenceEnd End { get; set; } = new();

    public bool IsFlow => Start.Style == SequenceStyle.Flow;
}

internal sealed class YamlItem(YamlNode value)
{
    public List<Comment> Leading { get; } = [];

    public YamlNode Value { get; } = value;

    public List<Comment> Inline { get; } = [];
}

internal sealed class YamlDocument(DocumentStart start)
{
    public DocumentStart Start { get; } = start;

    public List<Comment> Leading { get; } = [];

    public YamlNode? Root { get; set; }

    public List<Comment> Trailing { get; } = [];

    public DocumentEnd End { get; set; } = new(true);
}

/// <summary>Builders for nodes the converter adds: they have no position in the source.</summary>
internal static class Yaml
{
    public static YamlScalar Plain(string value) =>
        new(new Scalar(YamlDotNet.Core.AnchorName.Empty, YamlDotNet.Core.TagName.Empty, value, YamlDotNet.Core.ScalarStyle.Plain, true, false));

    /// <summary>Double-quoted: compose wants label values to be strings, and "true" or "8080" would not be.</summary>
    public static YamlScalar Quoted(string value) =>
        new(new Scalar(YamlDotNet.Core.AnchorName.Empty, YamlDotNet.Core.TagName.Empty, value, YamlDotNet.Core.ScalarStyle.DoubleQuoted, false, true));

    /// <summary>A scalar with the given value and the style, tag and anchor of an existing one.</summary>
    public static Scalar WithValue(Scalar like, string value) =>
        new(like.Anchor, like.Tag, value, like.Style, like.IsPlainImplicit, like.IsQuotedImplicit);

    public static YamlMapping BlockMapping() =>
        new(new MappingStart(YamlDotNet.Core.AnchorName.Empty, YamlDotNet.Core.TagName.Empty, true, MappingStyle.Block));

    public static Comment BlockComment(string text) => new(text, false);
}
