using YamlDotNet.Core.Events;

namespace SwarmEdge.Commands.Convert;

internal sealed class YamlEntry(YamlNode key, YamlNode value)
{
    public List<Comment> Leading { get; } = [];

    public YamlNode Key { get; } = key;

    /// <summary>Comments between the key and its value ("ports: # published").</summary>
    public List<Comment> Between { get; } = [];

    public YamlNode Value { get; set; } = value;

    public List<Comment> Inline { get; } = [];
}
