using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Net;

namespace SwarmEdge.Catalog;

/// <summary>A running task that may receive requests: its address on the network SwarmEdge shares with it.</summary>
internal sealed record Endpoint(string TaskId, string NodeId, IPAddress Address, int Port)
{
    // Formatted once: every rebuild turns every endpoint of every service into a YARP destination.
    public string Url { get; } = Format(Address, Port);

    /// <summary>The task's URL on another of its ports (a router with a port of its own), or over TLS.</summary>
    public string UrlOn(int port, string scheme = "http") => Format(Address, port, scheme);

    private static string Format(IPAddress address, int port, string scheme = "http") =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"{scheme}://[{address}]:{port}/" : $"{scheme}://{address}:{port}/";
}

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
    ImmutableArray<Endpoint> Endpoints,
    ImmutableArray<string> Errors,
    ImmutableArray<string> Warnings,
    bool UsesLastGoodRouting,
    ImmutableArray<TcpRoute> TcpRoutes = default)
{
    public ImmutableArray<TcpRoute> TcpRoutes { get; init; } = TcpRoutes.IsDefault ? [] : TcpRoutes;

    public bool IsRouted => Routing is not null && NetworkId is not null;

    /// <summary>Served over HTTP: routed, with HTTP routes (a TCP-only service has none).</summary>
    public bool IsHttpRouted => IsRouted && Routing!.IsHttp;
}

/// <summary>
/// Desired state: every opted-in service with its routes and live endpoints. DnsConfirmedTasks carries, from
/// one build to the next, the tasks that Docker's DNS has listed at least once (see EndpointSelector). A plain
/// hash set that no one writes to once built: every task of every service is looked up in it on every rebuild,
/// and an immutable hash set's tree made that lookup and the set's construction a third of a rebuild at 10,000
/// tasks (a frozen set looks up as fast but costs more to build than it saves, as it is built once per rebuild).
/// </summary>
internal sealed record ServiceCatalog(
    ImmutableArray<CatalogService> Services,
    IReadOnlySet<string> DnsConfirmedTasks)
{
    public static readonly ServiceCatalog Empty = new([], FrozenSet<string>.Empty);

    public CatalogService? Find(string serviceId) => Services.FirstOrDefault(s => s.Id == serviceId);

    /// <summary>For lookups in a loop over services: Find is a linear scan, O(n²) at a thousand services.</summary>
    public Dictionary<string, CatalogService> ById() => Services.ToDictionary(s => s.Id, StringComparer.Ordinal);
}
