namespace SwarmEdge.Commands.Convert;

/// <summary>A sequence; for a flow sequence End is just past its closing bracket.</summary>
internal sealed record YamlSequence(bool IsFlow, IReadOnlyList<YamlNode> Items, int Start, int End) : YamlNode(Start, End);
