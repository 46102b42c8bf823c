using YamlDotNet.Core.Events;

namespace SwarmEdge.Commands.Convert;

internal sealed class YamlAlias(AnchorAlias alias) : YamlNode
{
    public AnchorAlias Event { get; } = alias;
}
