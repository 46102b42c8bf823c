namespace SwarmEdge.Commands.Convert;

internal sealed record YamlEntry(YamlNode Key, YamlNode Value)
{
    public string? Name => (Key as YamlScalar)?.Value;
}
