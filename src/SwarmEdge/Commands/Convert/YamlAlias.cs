namespace SwarmEdge.Commands.Convert;

internal sealed record YamlAlias(int Start, int End) : YamlNode(Start, End);
