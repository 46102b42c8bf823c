using System.Collections.Immutable;
using SwarmEdge.Proxy;

namespace SwarmEdge.Admin;

/// <summary>The JSON documents of the admin API, built from the published status (pure).</summary>
internal static class AdminApi
{
    internal sealed record ServicesDocument(
        bool Ready,
        DateTimeOffset? LastReadAt,
        string? DockerEndpoint,
        string? DockerError,
        IReadOnlyList<ServiceDocument> Services,
        EdgeStatus.RoutesFileStatus? RoutesFile);

    internal sealed record ServiceDocument(
        string Id,
        string Name,
        bool Routed,
        bool UsesLastGoodRouting,
        string? Network,
        int? Port,
        IReadOnlyList<RouteDocument> Routes,
        IReadOnlyList<EndpointDocument> Endpoints,
        IReadOnlyList<string> Errors,
        IReadOnlyList<string> Warnings,
        string? DnsError,
        IReadOnlyList<TcpRouteDocument> TcpRoutes);

    internal sealed record TcpRouteDocument(string Name, int Entrypoint, int Port);

    /// <summary>A route; Port is the task port its requests go to.</summary>
    internal sealed record RouteDocument(
        string Id, IReadOnlyList<string> Hosts, string? Path, bool ExactPath, IReadOnlyList<string> Methods, IReadOnlyList<string> Headers, int? Priority, bool StripPrefix, int Port);

    internal sealed record EndpointDocument(string Task, string Node, string Address, string Url);

    public static ServicesDocument Services(EdgeStatus.View view)
    {
        var services = view.Catalog.Services
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .Select(s => new ServiceDocument(
                s.Id,
                s.Name,
                s.IsRouted,
                s.UsesLastGoodRouting,
                s.NetworkId,
                s.Routing?.HttpPort,
                s.Routes.Select(r => new RouteDocument(
                    ProxyConfigBuilder.RouteId(s.Name, r.Name), r.Hosts, r.PathPrefix, r.ExactPath, r.Methods, [.. r.Headers.Select(h => $"{h.Name}={h.Value}")],
                    r.Priority, r.StripPrefix, s.Routing!.PortOf(r))).ToList(),
                s.Endpoints.Select(e => new EndpointDocument(e.TaskId, e.NodeId, new System.Net.IPEndPoint(e.Address, e.Port).ToString(), e.Url)).ToList(),
                s.Errors.AddRange(view.ApplyErrors.GetValueOrDefault(s.Name, ImmutableArray<string>.Empty)),
                s.Warnings,
                view.DnsErrors.GetValueOrDefault(s.Name),
                s.TcpRoutes.Select(t => new TcpRouteDocument(t.Name, t.Entrypoint, t.Port)).ToList()))
            .ToList();

        return new ServicesDocument(view.Ready, view.LastReadAt, view.DockerEndpoint, view.DockerError, services, view.RoutesFile);
    }
}
