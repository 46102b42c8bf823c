using System.Collections.Immutable;

namespace SwarmEdge.Catalog;

/// <summary>
/// One HTTP route to a service: requests whose Host is one of Hosts (any host when empty) and whose path
/// starts with PathPrefix (any path when null). Priority: higher wins when several routes match.
/// ByServiceName: the labels set no host and no path; the routing policy decides the host (or refuses).
/// Port: the task port this route's requests go to, when the router names its own (else the service's HTTP port).
/// Tls: the route's own HTTPS settings (null: the defaults, SwarmEdge:Https).
/// </summary>
internal sealed record HttpRoute(
    string Name,
    EquatableArray<string> Hosts,
    string? PathPrefix,
    int? Priority,
    bool StripPrefix,
    bool ByServiceName = false,
    int? Port = null,
    RouteTls? Tls = null);

/// <summary>
/// What a service's tasks speak: HTTP/1.1 (the default), HTTP/2 without TLS (h2c, what gRPC servers listen with),
/// or TLS (HTTP/2 or HTTP/1.1, as the task's ALPN says).
/// </summary>
internal enum TaskProtocol
{
    Http1,
    H2c,
    Https,
}

/// <summary>On which schemes a route answers: both (the default), HTTPS only or plain HTTP only.</summary>
internal enum RouteScheme
{
    Both,
    Https,
    Http,
}

/// <summary>
/// A route's HTTPS settings from its labels; a null field keeps the configured default (SwarmEdge:Https:RedirectHttp,
/// SwarmEdge:Https:HstsMaxAge).
/// </summary>
internal sealed record RouteTls(RouteScheme Scheme, bool? HttpsRedirect, TimeSpan? Hsts);

/// <summary>
/// Retries that differ from the configured defaults. Methods is a normalised list ("GET,HEAD,PUT").
/// </summary>
internal sealed record RetrySettings(int? Attempts, string? Methods);

/// <summary>YARP active health checks: GET Path on every task each Interval; out after Threshold failures in a row.</summary>
internal sealed record ActiveHealthCheck(string Path, TimeSpan Interval, TimeSpan Timeout, int Threshold);

/// <summary>Requests one client address may send to a service: Permits per Period, at most Permits at once.</summary>
internal sealed record RequestRate(int Permits, TimeSpan Period);

/// <summary>
/// A TCP route: connections to the edge's Entrypoint port go to the tasks' Port. Name is the router's
/// ("default" for swarmedge.tcp.port and swarmedge.tcp.entrypoint). Sni: the TLS server names (lower case;
/// "*.name" for one label) whose connections this route takes on a shared entrypoint, TLS passing through
/// untouched; empty: every connection of the entrypoint that no SNI route takes.
/// </summary>
internal sealed record TcpRoute(int Port, int Entrypoint, string Name = TcpRoute.DefaultName, EquatableArray<string> Sni = default)
{
    public const string DefaultName = "default";
}

/// <summary>
/// What a service's swarmedge.* labels ask for, once they parsed without error. HttpPort is the service's HTTP
/// port (swarmedge.http.port): null for a TCP-only service (then Routes is empty), or when every router names
/// its own port. TcpRoutes is empty for an HTTP-only service. StallTimeout is null when the
/// service keeps the configured default (SwarmEdge:Proxy:StallTimeout); zero turns stall detection off for it.
/// MaxRequestBodySize (bytes) and RateLimit are null when the service keeps SwarmEdge:Limits.
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
    long? MaxRequestBodySize = null,
    RequestRate? RateLimit = null,
    TaskProtocol Protocol = TaskProtocol.Http1)
{
    /// <summary>The port a task endpoint is shown with: the HTTP port, else a router's, else the first TCP route's.</summary>
    public int EndpointPort => HttpPort ?? Routes.FirstOrDefault(r => r.Port is not null)?.Port ?? TcpRoutes.FirstOrDefault()?.Port ?? 0;

    /// <summary>Whether the service has HTTP routes at all (a TCP-only service has none).</summary>
    public bool IsHttp => HttpPort is not null || Routes.Any(r => r.Port is not null);

    /// <summary>The task port a route's requests go to.</summary>
    public int PortOf(HttpRoute route) => route.Port ?? HttpPort ?? 0;
}

/// <summary>
/// The outcome of reading a service's labels. Routing is null when Errors is not empty: a service with a
/// broken label is never half-routed.
/// </summary>
internal sealed record LabelParseResult(
    bool Enabled,
    ServiceRouting? Routing,
    ImmutableArray<string> Errors,
    ImmutableArray<string> Warnings);
