using System.Collections.Immutable;
using System.Net;
using SwarmEdge.Catalog;

namespace SwarmEdge.Proxy.Tcp;

/// <summary>A task behind a TCP route.</summary>
internal sealed record TcpEndpoint(string TaskId, IPEndPoint Address);

/// <summary>
/// Where connections to one entrypoint go: the service's tasks, on the route's port. Service names it in logs
/// and metrics: the service, or "service/router" for a named TCP router.
/// </summary>
internal sealed record TcpTarget(string Service, ImmutableArray<TcpEndpoint> Endpoints)
{
    public bool Equals(TcpTarget? other) => other is not null && Service == other.Service && Endpoints.SequenceEqual(other.Endpoints);

    public override int GetHashCode() => HashCode.Combine(Service, Endpoints.Length);
}

/// <summary>The live TCP routes, by entrypoint port, swapped whole by the TCP applier and read per connection.</summary>
internal sealed class TcpRouteTable
{
    private volatile ImmutableDictionary<int, TcpTarget> _targets = ImmutableDictionary<int, TcpTarget>.Empty;

    public ImmutableDictionary<int, TcpTarget> Targets => _targets;

    public TcpTarget? Find(int entrypoint) => _targets.GetValueOrDefault(entrypoint);

    public void Swap(ImmutableDictionary<int, TcpTarget> targets) => _targets = targets;

    /// <summary>Pure: the catalog's served TCP routes, with each task's address on the route's port.</summary>
    public static ImmutableDictionary<int, TcpTarget> Build(ServiceCatalog catalog) =>
        catalog.Services
            .Where(s => s.IsRouted)
            .SelectMany(s => s.TcpRoutes.Select(route => (Service: s, Route: route)))
            .ToImmutableDictionary(
                x => x.Route.Entrypoint,
                x => new TcpTarget(
                    x.Route.Name == TcpRoute.DefaultName ? x.Service.Name : $"{x.Service.Name}/{x.Route.Name}",
                    x.Service.Endpoints.Select(e => new TcpEndpoint(e.TaskId, new IPEndPoint(e.Address, x.Route.Port))).ToImmutableArray()));
}
