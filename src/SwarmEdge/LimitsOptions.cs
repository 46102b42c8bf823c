namespace SwarmEdge;

/// <summary>
/// Limits of the proxy listener (HTTP and TCP entrypoints), for clients on the internet: slow or oversized
/// requests and floods from one address. Kestrel's own defaults are kept where they were already sane.
/// </summary>
internal sealed class LimitsOptions
{
    /// <summary>Time a client has to send a request's headers (Kestrel: 30 s); answered 408.</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>An idle keep-alive connection is closed after this (Kestrel: 130 s).</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A request body arriving slower than this (bytes/s, after the grace period) is cut; 0 turns it off.</summary>
    public double MinRequestBodyDataRate { get; set; } = 240;

    /// <summary>A client reading a response slower than this (bytes/s, after the grace period) is cut; 0 turns it off.</summary>
    public double MinResponseDataRate { get; set; } = 240;

    public TimeSpan MinDataRateGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Open connections in all, HTTP and TCP routes (Kestrel: unlimited); 0: unlimited.</summary>
    public long MaxConcurrentConnections { get; set; } = 10_000;

    /// <summary>WebSocket and other upgraded connections in all (Kestrel: unlimited); 0: unlimited.</summary>
    public long MaxConcurrentUpgradedConnections { get; set; } = 10_000;

    /// <summary>Request line (method, target, version) in bytes; longer: 414.</summary>
    public int MaxRequestLineSize { get; set; } = 8 * 1024;

    /// <summary>All request headers together, in bytes; more: 431.</summary>
    public int MaxRequestHeadersTotalSize { get; set; } = 32 * 1024;

    public int MaxRequestHeaderCount { get; set; } = 100;

    /// <summary>Largest request body in bytes (a service's swarmedge.http.max-body-size overrides it); more: 413.</summary>
    public long MaxRequestBodySize { get; set; } = 30_000_000;

    /// <summary>Connections one client address may hold open at once; more are closed at once. 0: off.</summary>
    public int MaxConnectionsPerClient { get; set; }

    /// <summary>Requests per second one client address may send (token bucket); more: 429. 0: off.</summary>
    public int RequestsPerSecondPerClient { get; set; }

    /// <summary>Requests a client may send at once above its rate; 0: as many as RequestsPerSecondPerClient.</summary>
    public int RequestBurstPerClient { get; set; }
}
