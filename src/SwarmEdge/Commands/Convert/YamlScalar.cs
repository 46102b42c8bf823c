using YamlDotNet.Core;

namespace SwarmEdge.Commands.Convert;

internal sealed record YamlScalar(string Value, ScalarStyle Style, int Start, int End) : YamlNode(Start, End);
