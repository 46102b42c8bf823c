namespace SwarmEdge;

internal sealed class ShutdownOptions
{
    /// <summary>
    /// After SIGTERM, how long SwarmEdge keeps accepting and serving while it reports not ready, so that what
    /// fronts it (a floating IP's track script, a cloud load balancer's health check) stops sending first.
    /// </summary>
    public TimeSpan Grace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>After the grace, how long requests (and TCP connections) in flight get to finish before they are cut.</summary>
    public TimeSpan Drain { get; set; } = TimeSpan.FromSeconds(8);
}
