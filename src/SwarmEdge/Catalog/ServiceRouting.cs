using System.Collections.Immutable;

namespace SwarmEdge.Catalog;

/// <summary>
/// One HTTP route to a service: requests whose Host is one of Hosts (any host when empty) and whose path
/// starts with PathPrefix (any path when null). Priority: higher wins when several routes match.
/// ByServiceName: the labels set no host and no path; the routing policy decides the host (or refuses).
/// </summary>
internal sealed record HttpRoute(
    string Name,
    ImmutableArray<string> Hosts,
    string? PathPrefix,
    int? Priority,
    bool StripPrefix,
    bool ByServiceName = false)
{
    public bool Equals(HttpRoute? other) =>
        other is not null
        && Name == other.Name
        && Hosts.SequenceEqual(other.Hosts)
        && PathPrefix == other.PathPrefix
        && Priority == other.Priority
        && StripPrefix == other.StripPrefix
        && ByServiceName == other.ByServiceName;

    public override int GetHashCode() => HashCode.Combine(Name, PathPrefix, Priority, StripPrefix, Hosts.Length);
}

/// <summary>
/// Retries that differ from the configured defaults. Methods is a normalised list ("GET,HEAD,PUT").
/// </summary>
internal sealed record RetrySettings(int? Attempts, string? Methods);

/// <summary>YARP active health checks: GET Path on every task each Interval; out after Threshold failures in a row.</summary>
internal sealed record ActiveHealthCheck(string Path, TimeSpan Interval, TimeSpan Timeout, int Threshold);

/// <summary>Requests one client address may send to a service: Permits per Period, at most Permits at once.</summary>
internal sealed record RequestRate(int Permits, TimeSpan Period);

/// <summary>A TCP route: connections to the edge's Entrypoint port go to the tasks' Port.</summary>
internal sealed record TcpRoute(int Port, int Entrypoint);

/// <summary>
/// What a service's swarmedge.* labels ask for, once they parsed without error. HttpPort is null for a
/// TCP-only service (then Routes is empty); Tcp is null for an HTTP-only one. StallTimeout is null when the
/// service keeps the configured default (SwarmEdge:Proxy:StallTimeout); zero turns stall detection off for it.
/// MaxRequestBodySize (bytes) and RateLimit are null when the service keeps SwarmEdge:Limits.
/// </summary>
internal sealed record ServiceRouting(
    int? HttpPort,
    string? Network,
    string? LoadBalancingPolicy,
    ImmutableArray<HttpRoute> Routes,
    RetrySettings? Retry = null,
    ActiveHealthCheck? HealthCheck = null,
    TcpRoute? Tcp = null,
    TimeSpan? StallTimeout = null,
    long? MaxRequestBodySize = null,
    RequestRate? RateLimit = null)
{
    /// <summary>The port a task endpoint is shown with: the HTTP port, else the TCP one.</summary>
    public int EndpointPort => HttpPort ?? Tcp?.Port ?? 0;

    public bool Equals(ServiceRouting? other) =>
        other is not null
        && HttpPort == other.HttpPort
        && Network == other.Network
        && LoadBalancingPolicy == other.LoadBalancingPolicy
        && Routes.SequenceEqual(other.Routes)
        && Retry == other.Retry
        && HealthCheck == other.HealthCheck
        && Tcp == other.Tcp
        && StallTimeout == other.StallTimeout
        && MaxRequestBodySize == other.MaxRequestBodySize
        && RateLimit == other.RateLimit;

    public override int GetHashCode() => HashCode.Combine(HttpPort, Network, LoadBalancingPolicy, Routes.Length);
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
