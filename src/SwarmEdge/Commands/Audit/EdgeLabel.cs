namespace SwarmEdge.Commands.Audit;

/// <summary>
/// The node label that marks an edge node: "key=value" (the label must have that value) or "key" (any value).
/// Edge nodes are the ones meant to take traffic from outside, where SwarmEdge runs.
/// </summary>
internal sealed record EdgeLabel(string Key, string? Value)
{
    public static readonly EdgeLabel Default = new("swarmedge.edge", "true");

    public static bool TryParse(string? text, out EdgeLabel label, out string error)
    {
        label = Default;
        error = "";
        var trimmed = text?.Trim() ?? "";
        var equals = trimmed.IndexOf('=');
        var key = equals < 0 ? trimmed : trimmed[..equals].Trim();
        if (key.Length == 0)
        {
            error = $"--edge-label must be key=value or key, not '{text}'";
            return false;
        }

        label = new EdgeLabel(key, equals < 0 ? null : trimmed[(equals + 1)..].Trim());
        return true;
    }

    public bool Matches(IReadOnlyDictionary<string, string> labels) =>
        labels.TryGetValue(Key, out var value) && (Value is null || string.Equals(value, Value, StringComparison.Ordinal));

    public override string ToString() => Value is null ? Key : $"{Key}={Value}";
}
