namespace SwarmEdge;

internal sealed class DiscoveryOptions
{
    /// <summary>Safety net: a full re-read of services, tasks, networks and nodes this often, events or not.</summary>
    public TimeSpan ResyncInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>While a service update is in progress its tasks are re-read this often.</summary>
    public TimeSpan UpdateFollowInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>After an event, reads wait this long so that a burst of events costs one read.</summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Longest backoff between the retries of one Docker API call, and between event stream reconnects.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Also serve services labelled for Traefik's Swarm provider (traefik.enable=true and traefik.http.*), their
    /// labels read as SwarmEdge's (Catalog/Traefik). A service with swarmedge.enable is read by its SwarmEdge labels.
    /// </summary>
    public bool TraefikLabels { get; set; }

    /// <summary>
    /// A YAML or JSON file of services outside the swarm (static addresses, swarmedge.* labels), read again when it
    /// changes (checked every second); a file with an error leaves the last good one serving. Empty: none.
    /// </summary>
    public string RoutesFile { get; set; } = "";

    /// <summary>After a read of the swarm that failed every retry, the wait before the same read is tried again.</summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(1);
}
