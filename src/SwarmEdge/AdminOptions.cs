namespace SwarmEdge;

internal sealed class AdminOptions
{
    /// <summary>Loopback by default: the admin API shows task addresses, node IDs and Docker's errors.</summary>
    public string Address { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 8081;

    /// <summary>
    /// A port on every address that answers /healthz and /readyz and nothing else, with no reasons: for what
    /// cannot reach the task's loopback (a floating IP's track script on the host network, a cloud load
    /// balancer's health check). 0: none.
    /// </summary>
    public int ProbePort { get; set; }

    /// <summary>
    /// File holding the bearer token every admin request but /healthz and /readyz must carry
    /// (Authorization: Bearer ...); required when Address is not loopback. A Docker secret fits.
    /// </summary>
    public string TokenFile { get; set; } = "";

    /// <summary>Serve /metrics without the token (a Prometheus that cannot send one, on a trusted network).</summary>
    public bool MetricsWithoutToken { get; set; }
}
