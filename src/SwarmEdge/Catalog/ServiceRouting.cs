using System.Collections.Immutable;

namespace SwarmEdge.Catalog;

/// <summary>
/// One HTTP route to a service: requests whose Host is one of Hosts (any host when empty) and whose path
/// starts with PathPrefix (any path when null). Priority: higher wins when several routes match.
/// </summary>
internal sealed record HttpRoute(
    string Name,
    ImmutableArray<string> Hosts,
    string? PathPrefix,
    int? Priority,
    bool StripPrefix)
{
    public bool Equals(HttpRoute? other) =>
        other is not null
        && Name == other.Name
        && Hosts.SequenceEqual(other.Hosts)
        && PathPrefix == other.PathPrefix
        && Priority == other.Priority
        && StripPrefix == other.StripPrefix;

    public override int GetHashCode() => HashCode.Combine(Name, PathPrefix, Priority, StripPrefix, Hosts.Length);
}

/// <summary>
/// Retries that differ from the configured defaults. Methods is a normalised list ("GET,HEAD,PUT").
/// </summary>
internal sealed record RetrySettings(int? Attempts, string? Methods);

/// <summary>YARP active health checks: GET Path on every task each Interval; out after Threshold failures in a row.</summary>
internal sealed record ActiveHealthCheck(string Path, TimeSpan Interval, TimeSpan Timeout, int Threshold);

/// <summary>What a service's swarmedge.* labels ask for, once they parsed without error.</summary>
internal sealed record ServiceRouting(
    int Port,
    string? Network,
    string? LoadBalancingPolicy,
    ImmutableArray<HttpRoute> Routes,
    RetrySettings? Retry = null,
    ActiveHealthCheck? HealthCheck = null)
{
    public bool Equals(ServiceRouting? other) =>
        other is not null
        && Port == other.Port
        && Network == other.Network
        && LoadBalancingPolicy == other.LoadBalancingPolicy
        && Routes.SequenceEqual(other.Routes)
        && Retry == other.Retry
        && HealthCheck == other.HealthCheck;

    public override int GetHashCode() => HashCode.Combine(Port, Network, LoadBalancingPolicy, Routes.Length);
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
