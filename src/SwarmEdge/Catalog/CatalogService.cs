using System.Collections.Frozen;
using System.Collections.Immutable;

namespace SwarmEdge.Catalog;

/// <summary>
/// A service as SwarmEdge serves it. Routing is what its labels asked for, or, when its labels are broken
/// now, the last routing that was good (then Errors says why and UsesLastGoodRouting is true). Routes
/// excludes routes that were dropped because another service already claims them; TcpRoutes are the TCP routes
/// actually served (not those whose entrypoint is not configured or held by another service).
/// </summary>
internal sealed record CatalogService(
    string Id,
    string Name,
    ServiceRouting? Routing,
    string? NetworkId,
    ImmutableArray<HttpRoute> Routes,
    ImmutableArray<TaskEndpoint> Endpoints,
    ImmutableArray<string> Errors,
    ImmutableArray<string> Warnings,
    bool UsesLastGoodRouting,
    ImmutableArray<TcpRoute> TcpRoutes = default)
{
    public ImmutableArray<TcpRoute> TcpRoutes { get; init; } = TcpRoutes.IsDefault ? [] : TcpRoutes;

    /// <summary>The tasks Docker's DNS has listed at least once, carried from one build to the next (see EndpointSelector).</summary>
    public IReadOnlySet<string> ConfirmedTaskIds { get; init; } = FrozenSet<string>.Empty;

    public bool IsRouted => Routing is not null && NetworkId is not null;

    /// <summary>Served over HTTP: routed, with HTTP routes (a TCP-only service has none).</summary>
    public bool IsHttpRouted => IsRouted && Routing!.IsHttp;
}
