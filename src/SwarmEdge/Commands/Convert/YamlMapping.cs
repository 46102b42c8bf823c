using YamlDotNet.Core.Events;

namespace SwarmEdge.Commands.Convert;

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
