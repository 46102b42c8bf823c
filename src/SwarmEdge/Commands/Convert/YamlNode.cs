namespace SwarmEdge.Commands.Convert;

/// <summary>
/// A node of a YAML document with where it sits in the text: Start is the offset of its first character (the
/// first key or dash of a block collection, the bracket of a flow one); End the offset just past its last
/// character, not counting the whitespace or comments after it.
/// </summary>
internal abstract record YamlNode(int Start, int End);
