namespace SwarmEdge.Commands.Convert;

/// <summary>A mapping; for a flow mapping End is just past its closing brace.</summary>
internal sealed record YamlMapping(bool IsFlow, IReadOnlyList<YamlEntry> Entries, int Start, int End) : YamlNode(Start, End)
{
    public YamlEntry? Find(string key) => Entries.FirstOrDefault(e => e.Name == key);
}
