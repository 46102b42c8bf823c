using YamlDotNet.Core.Events;

namespace SwarmEdge.Commands.Convert;

internal sealed class YamlDocument(DocumentStart start)
{
    public DocumentStart Start { get; } = start;

    public List<Comment> Leading { get; } = [];

    public YamlNode? Root { get; set; }

    public List<Comment> Trailing { get; } = [];

    public DocumentEnd End { get; set; } = new(true);
}
