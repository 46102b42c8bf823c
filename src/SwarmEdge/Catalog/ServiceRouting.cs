namespace SwarmEdge.Catalog;

/// <summary>
/// What a service's swarmedge.* labels ask for, once they parsed without error. HttpPort is the service's HTTP
/// port (swarmedge.http.port): null for a TCP-only service (then Routes is empty), or when every router names
/// its own port. TcpRoutes is empty for an HTTP-only service. StallTimeout is null when the
/// service keeps the configured default (SwarmEdge:Proxy:StallTimeout); zero turns stall detection off for it.
/// RateLimit is null when the service keeps SwarmEdge:Limits. Middlewares are
/// those the service declares for its tenant's routes (a service may declare them and route nothing itself).
/// </summary>
internal sealed record ServiceRouting(
    int? HttpPort,
    string? Network,
    string? LoadBalancingPolicy,
    EquatableArray<HttpRoute> Routes,
    RetrySettings? Retry = null,
    ActiveHealthCheck? HealthCheck = null,
    EquatableArray<TcpRoute> TcpRoutes = default,
    TimeSpan? StallTimeout = null,
    RequestRate? RateLimit = null,
    TaskProtocol Protocol = TaskProtocol.Http1,
    EquatableArray<Middleware> Middlewares = default,
    StickySessions? Sticky = null)
{
    /// <summary>The port a task endpoint is shown with: the HTTP port, else a router's, else the first TCP route's.</summary>
    public int EndpointPort => HttpPort ?? Routes.FirstOrDefault(r => r.Port is not null)?.Port ?? TcpRoutes.FirstOrDefault()?.Port ?? 0;

    /// <summary>Whether the service has HTTP routes at all (a TCP-only service has none).</summary>
    public bool IsHttp => HttpPort is not null || Routes.Any(r => r.Port is not null);

    /// <summary>The task port a route's requests go to.</summary>
    public int PortOf(HttpRoute route) => route.Port ?? HttpPort ?? 0;
}
