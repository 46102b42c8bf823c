namespace SwarmEdge;

internal sealed class AllowedHostOptions
{
    /// <summary>"example.com" (that name) or "*.example.com" (every name below it, at any depth).</summary>
    public string Host { get; set; } = "";

    /// <summary>Values of the tenant label that may claim it; empty: every service.</summary>
    public List<string> Tenants { get; set; } = [];
}
