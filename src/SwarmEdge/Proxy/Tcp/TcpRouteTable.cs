using System.Collections.Immutable;
using System.Net;
using SwarmEdge.Catalog;

namespace SwarmEdge.Proxy.Tcp;

/// <summary>The live TCP routes, by entrypoint port, swapped whole by the TCP applier and read per connection.</summary>
internal sealed class TcpRouteTable
{
    private volatile ImmutableDictionary<int, TcpEntrypointRoutes> _routes = ImmutableDictionary<int, TcpEntrypointRoutes>.Empty;

    public ImmutableDictionary<int, TcpEntrypointRoutes> Routes => _routes;

    public TcpEntrypointRoutes? Find(int entrypoint) => _routes.GetValueOrDefault(entrypoint);

    public void Swap(ImmutableDictionary<int, TcpEntrypointRoutes> routes) => _routes = routes;

    /// <summary>Pure: the catalog's served TCP routes, with each task's address on the route's port.</summary>
    public static ImmutableDictionary<int, TcpEntrypointRoutes> Build(ServiceCatalog catalog)
    {
        var routes = catalog.Services
            .Where(s => s.IsRouted)
            .SelectMany(s => s.TcpRoutes.Select(route => (Route: route, Target: new TcpTarget(
                route.Name == TcpRoute.DefaultName ? s.Name : $"{s.Name}/{route.Name}",
                s.Endpoints.Select(e => new TcpEndpoint(e.TaskId, new IPEndPoint(e.Address, route.Port), e.NodeId)).ToImmutableArray()))))
            .ToList();
        return routes
            .GroupBy(r => r.Route.Entrypoint)
            .ToImmutableDictionary(
                g => g.Key,
                g => new TcpEntrypointRoutes(
                    g.FirstOrDefault(r => r.Route.Sni.IsEmpty).Target,
                    g.SelectMany(r => r.Route.Sni.Select(name => (name, r.Target)))
                        .ToImmutableDictionary(x => x.name, x => x.Target, StringComparer.OrdinalIgnoreCase)));
    }
}
