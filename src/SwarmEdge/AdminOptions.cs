namespace SwarmEdge;

internal sealed class AdminOptions
{
    /// <summary>Loopback by default: the admin API shows task addresses, node IDs and Docker's errors.</summary>
    public string Address { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 8081;

    /// <summary>
    /// File holding the bearer token every admin request but /healthz and /readyz must carry
    /// (Authorization: Bearer ...); required when Address is not loopback. A Docker secret fits.
    /// </summary>
    public string TokenFile { get; set; } = "";

    /// <summary>Serve /metrics without the token (a Prometheus that cannot send one, on a trusted network).</summary>
    public bool MetricsWithoutToken { get; set; }
}
