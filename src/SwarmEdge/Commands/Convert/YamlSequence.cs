using YamlDotNet.Core.Events;

namespace SwarmEdge.Commands.Convert;

internal sealed class YamlSequence(SequenceStart start) : YamlNode
{
    public SequenceStart Start { get; set; } = start;

    public List<YamlItem> Items { get; } = [];

    public List<Comment> Trailing { get; } = [];

    public SequenceEnd End { get; set; } = new();

    public bool IsFlow => Start.Style == SequenceStyle.Flow;
}
