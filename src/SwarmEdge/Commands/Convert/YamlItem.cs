using YamlDotNet.Core.Events;

namespace SwarmEdge.Commands.Convert;

internal sealed class YamlItem(YamlNode value)
{
    public List<Comment> Leading { get; } = [];

    public YamlNode Value { get; } = value;

    public List<Comment> Inline { get; } = [];
}
