using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using SwarmEdge.Discovery;

namespace SwarmEdge.Catalog;

/// <summary>
/// The pure heart of SwarmEdge: observations in, desired state out. No I/O, no clock, no exceptions for bad
/// input: a service whose labels or network are wrong gets errors, keeps its last good routing when it had
/// one, and never affects another service.
/// </summary>
internal static class CatalogBuilder
{
    /// <param name="tcpEntrypoints">The edge ports SwarmEdge accepts TCP connections on (from configuration).</param>
    /// <param name="policy">What labels may claim (SwarmEdge:Routing); RoutingPolicy.Default when null.</param>
    public static ServiceCatalog Build(
        SwarmSnapshot snapshot,
        ServiceCatalog previous,
        IReadOnlyCollection<string> sharedNetworks,
        IReadOnlyCollection<int>? tcpEntrypoints = null,
        RoutingPolicy? policy = null)
    {
        var inputs = new CatalogInputs(snapshot, sharedNetworks, tcpEntrypoints ?? [], policy ?? RoutingPolicy.Default);
        var services = previous.Inputs is { } before && before.SameRouting(inputs)
            ? WithEndpoints(previous, before, inputs)
            : Decide(inputs, previous);
        return new ServiceCatalog(services) { Inputs = inputs };
    }

    /// <summary>
    /// The same services with the same routing as last time (their labels, networks and the settings unchanged):
    /// only endpoints are chosen again, for services whose tasks, DNS answer or nodes changed. Most rebuilds are
    /// these (a task started or stopped, DNS dropped a task), and they cost in proportion to what changed.
    /// </summary>
    private static ImmutableArray<CatalogService> WithEndpoints(ServiceCatalog previous, CatalogInputs before, CatalogInputs inputs)
    {
        var sameNodes = before.SameNodes(inputs);
        var services = previous.Services.ToBuilder();
        for (var i = 0; i < services.Count; i++)
        {
            var last = services[i];
            if (last.IsRouted && last.NetworkId != RoutesFile.Network && !(sameNodes && before.SameTasksAndDns(last.Id, last.Name, inputs)))
            {
                var (endpoints, confirmed) = SelectEndpoints(last.Id, last.Name, last.NetworkId!, last.Routing!.EndpointPort, inputs.Snapshot, last);
                services[i] = Reused(last, last with { Endpoints = endpoints, ConfirmedTaskIds = confirmed });
            }
        }

        // Not MoveToImmutable: the builder of an empty array has a capacity of its own.
        return services.DrainToImmutable();
    }

    /// <summary>Every service's routing decided again (claims are made in age order across services), endpoints reused where their sources are the same.</summary>
    private static ImmutableArray<CatalogService> Decide(CatalogInputs inputs, ServiceCatalog previous)
    {
        var (snapshot, sharedNetworks, tcpEntrypoints, policy) = inputs;
        var services = ImmutableArray.CreateBuilder<CatalogService>();
        var claims = new Dictionary<RouteClaim, List<(HttpRoute Route, string Service)>>();
        var hosts = new HostOwnership();
        var entrypointClaims = new Dictionary<int, (string Service, string Route)>();
        var sniClaims = new Dictionary<int, HostOwnership>();
        var previousById = previous.ById();
        var sameNodes = previous.Inputs?.SameNodes(inputs) == true;

        // Older services claim routes first, so a new service cannot take over a route that already serves.
        var ordered = snapshot.Services
            .OrderBy(s => s.CreatedAt)
            .ThenBy(s => s.Name, StringComparer.Ordinal)
            .ToList();

        // Every tenant's middlewares first: a route may name one that a newer service of its tenant declares.
        var middlewares = new MiddlewareDeclarations();
        var declarationErrors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var service in ordered)
        {
            var declaring = ParsedLabels(service).Routing ?? previousById.GetValueOrDefault(service.Id)?.Routing;
            if (declaring is { Middlewares.IsEmpty: false })
            {
                var problems = declarationErrors[service.Id] = [];
                middlewares.Declare(service.Name, policy.TenantOf(service), declaring.Middlewares, problems);
            }
        }

        foreach (var service in ordered)
        {
            var parsed = ParsedLabels(service);
            if (!parsed.Enabled && parsed.Errors.IsEmpty)
            {
                continue;
            }

            var errors = parsed.Errors.ToBuilder();
            if (declarationErrors.TryGetValue(service.Id, out var declaration))
            {
                errors.AddRange(declaration);
            }

            var lastGood = previousById.GetValueOrDefault(service.Id);

            var routing = parsed.Routing;
            string? networkId = null;
            if (routing is not null)
            {
                // A service of the routes file is reached at its addresses as they are.
                networkId = service.StaticAddresses is null
                    ? ResolveNetwork(service, routing.Network, snapshot.Networks, sharedNetworks, errors)
                    : RoutesFile.Network;
            }

            var usesLastGood = false;
            if ((routing is null || networkId is null) && lastGood is { IsRouted: true })
            {
                // Bad input loses nothing: keep serving what worked until the labels are fixed.
                routing = lastGood.Routing;
                networkId = lastGood.NetworkId;
                usesLastGood = true;
                errors.Add("serving the last good routing until the errors above are fixed");
            }

            var routes = ImmutableArray<HttpRoute>.Empty;
            var endpoints = ImmutableArray<TaskEndpoint>.Empty;
            IReadOnlySet<string> confirmed = FrozenSet<string>.Empty;
            var tcp = ImmutableArray<TcpRoute>.Empty;
            if (routing is not null && networkId is not null)
            {
                var tenant = policy.TenantOf(service);
                routes = ClaimRoutes(service.Name, tenant, middlewares.Resolve(tenant, routing.Routes, lastGood, errors), policy, hosts, claims, errors);
                tcp = ClaimEntrypoints(service.Name, tenant, policy, routing.TcpRoutes, tcpEntrypoints, entrypointClaims, sniClaims, errors);
                if (service.StaticAddresses is { } addresses)
                {
                    endpoints = EndpointSelector.Static(service.Name, addresses, routing.EndpointPort);
                }
                else if (lastGood is { } last && sameNodes && last.NetworkId == networkId && last.Routing?.EndpointPort == routing.EndpointPort
                         && last.Name == service.Name && previous.Inputs!.SameTasksAndDns(service.Id, service.Name, inputs))
                {
                    (endpoints, confirmed) = (last.Endpoints, last.ConfirmedTaskIds);
                }
                else
                {
                    (endpoints, confirmed) = SelectEndpoints(service.Id, service.Name, networkId, routing.EndpointPort, snapshot, lastGood);
                }
            }
            else
            {
                routing = null;
                networkId = null;
            }

            services.Add(Reused(lastGood, new CatalogService(
                service.Id,
                service.Name,
                routing,
                networkId,
                routes,
                endpoints,
                errors.ToImmutable(),
                parsed.Warnings,
                usesLastGood,
                tcp) { ConfirmedTaskIds = confirmed }));
        }

        return services.ToImmutable();
    }

    private static (ImmutableArray<TaskEndpoint> Endpoints, IReadOnlySet<string> Confirmed) SelectEndpoints(
        string serviceId, string serviceName, string networkId, int port, SwarmSnapshot snapshot, CatalogService? last)
    {
        snapshot.DnsByServiceName.TryGetValue(serviceName, out var dns);
        var selection = EndpointSelector.Select(
            snapshot.TasksOf(serviceId), networkId, port, snapshot.Nodes, dns, last?.ConfirmedTaskIds ?? FrozenSet<string>.Empty);
        return (selection.Endpoints, selection.ConfirmedTaskIds);
    }

    /// <summary>
    /// The last build's instance when nothing in the service changed: what follows the catalog (the YARP
    /// configuration, the applier, the change report) tells unchanged services apart by reference.
    /// </summary>
    private static CatalogService Reused(CatalogService? last, CatalogService next) =>
        last is not null
        && last.Id == next.Id
        && last.Name == next.Name
        && last.NetworkId == next.NetworkId
        && last.UsesLastGoodRouting == next.UsesLastGoodRouting
        && Equals(last.Routing, next.Routing)
        && last.Routes.SequenceEqual(next.Routes)
        && last.TcpRoutes.SequenceEqual(next.TcpRoutes)
        && last.Endpoints.SequenceEqual(next.Endpoints)
        && last.Errors.SequenceEqual(next.Errors)
        && last.Warnings.SequenceEqual(next.Warnings)
        && last.ConfirmedTaskIds.SetEquals(next.ConfirmedTaskIds)
            ? last
            : next;

    // Labels change far less often than tasks: most rebuilds (a DNS change, a task list re-read) see the same
    // label dictionaries again, so their parse is reused. The result depends only on the labels.
    private static readonly ConditionalWeakTable<ImmutableDictionary<string, string>, LabelParseResult> Parsed = new();

    private static LabelParseResult ParsedLabels(OptedInService service) =>
        Parsed.GetValue(service.Labels, static labels => ServiceLabelParser.Parse(labels));

    private static string? ResolveNetwork(
        OptedInService service,
        string? wanted,
        IReadOnlyDictionary<string, SwarmNetwork> networks,
        IReadOnlyCollection<string> sharedNetworks,
        ImmutableArray<string>.Builder errors)
    {
        string NameOf(string id) => networks.TryGetValue(id, out var n) ? n.Name : id;
        bool Is(string id, string nameOrId) => id == nameOrId || NameOf(id) == nameOrId;

        var candidates = service.NetworkIds
            .Where(id => sharedNetworks.Count == 0 || sharedNetworks.Any(shared => Is(id, shared)))
            .ToList();

        if (wanted is not null)
        {
            var chosen = candidates.FirstOrDefault(id => Is(id, wanted));
            if (chosen is null)
            {
                errors.Add(service.NetworkIds.Any(id => Is(id, wanted))
                    ? $"label {LabelKeys.Network}=\"{wanted}\": SwarmEdge is not attached to that network (it shares {Describe(sharedNetworks)})"
                    : $"label {LabelKeys.Network}=\"{wanted}\": the service is not on that network (it is on {Describe(service.NetworkIds.Select(NameOf))})");
            }

            return chosen;
        }

        switch (candidates.Count)
        {
            case 1:
                return candidates[0];
            case 0:
                errors.Add(service.NetworkIds.IsEmpty
                    ? "the service is on no network SwarmEdge can reach: attach it to an overlay network SwarmEdge shares"
                    : $"the service's networks ({Describe(service.NetworkIds.Select(NameOf))}) are not ones SwarmEdge shares ({Describe(sharedNetworks)})");
                return null;
            default:
                errors.Add($"the service is on several networks SwarmEdge shares ({Describe(candidates.Select(NameOf))}): " +
                           $"choose one with the {LabelKeys.Network} label");
                return null;
        }
    }

    /// <summary>
    /// The routes the service may have, in label order: each is checked against the operator's policy, then
    /// against what older services hold (a refused route is an error for this service; its other routes stay).
    /// </summary>
    private static ImmutableArray<HttpRoute> ClaimRoutes(
        string serviceName,
        Tenant tenant,
        ImmutableArray<HttpRoute> routes,
        RoutingPolicy policy,
        HostOwnership hosts,
        Dictionary<RouteClaim, List<(HttpRoute Route, string Service)>> claims,
        ImmutableArray<string>.Builder errors)
    {
        // Most services keep every route as declared: then the declared array is the result (no copy).
        var kept = ImmutableArray.CreateBuilder<HttpRoute>(routes.Length);
        var asDeclared = true;
        foreach (var declared in routes)
        {
            if (Admit(serviceName, tenant, declared, policy, hosts, errors) is not { } route)
            {
                continue;
            }

            asDeclared &= ReferenceEquals(route, declared);

            var routeClaims = RouteClaim.Of(route);
            if (Taken(routeClaims, route, claims) is { } taken)
            {
                var matchers = RouteClaim.Matchers(route) + RouteClaim.Matchers(taken.Route);
                errors.Add($"route '{route.Name}' ({taken.Claim}{RouteClaim.Matchers(route)}) is already served by {taken.Service} route '{taken.Route.Name}'" +
                           $"{(RouteClaim.Matchers(taken.Route) is { Length: > 0 } theirs ? $" ({theirs[2..]})" : "")}; it is ignored: give it another host, path or priority" +
                           (matchers.Length > 0 ? ", or methods or headers that tell the two apart" : ""));
                continue;
            }

            foreach (var claim in routeClaims)
            {
                (claims.TryGetValue(claim, out var held) ? held : claims[claim] = []).Add((route, serviceName));
            }

            var owned = new HostOwnership.Owner(tenant, serviceName, route.Name);
            if (route.Hosts.IsEmpty)
            {
                hosts.ClaimHostless(route.PathPrefix, owned);
            }

            foreach (var host in route.Hosts)
            {
                hosts.Claim(host, owned);
            }

            kept.Add(route);
        }

        return asDeclared && kept.Count == routes.Length ? routes : kept.DrainToImmutable();
    }

    /// <summary>The first route an older service holds that takes the same requests on one of these claims.</summary>
    private static (RouteClaim Claim, HttpRoute Route, string Service)? Taken(
        RouteClaim[] routeClaims, HttpRoute route, Dictionary<RouteClaim, List<(HttpRoute Route, string Service)>> claims)
    {
        foreach (var claim in routeClaims)
        {
            if (claims.TryGetValue(claim, out var held))
            {
                foreach (var (heldRoute, service) in held)
                {
                    if (RouteClaim.TakeSameRequests(heldRoute, route))
                    {
                        return (claim, heldRoute, service);
                    }
                }
            }
        }

        return null;
    }

    /// <summary>The route as the policy lets it be (its host by service name filled in), or null with an error.</summary>
    private static HttpRoute? Admit(
        string serviceName, Tenant tenant, HttpRoute route, RoutingPolicy policy, HostOwnership hosts, ImmutableArray<string>.Builder errors)
    {
        if (route.ByServiceName)
        {
            if (policy.DefaultHost is null)
            {
                errors.Add($"the service has no route: set {LabelKeys.HttpHost} (or {LabelKeys.HttpPath}); " +
                           "a service is reached by its name only when the operator sets SwarmEdge:Routing:DefaultHost");
                return null;
            }

            route = route with { Hosts = [policy.DefaultHost.Replace(RoutingPolicy.ServicePlaceholder, serviceName.ToLowerInvariant(), StringComparison.Ordinal)], ByServiceName = false };
        }

        if (route.Hosts.IsEmpty)
        {
            if (!policy.AllowHostlessRoutes)
            {
                errors.Add($"route '{route.Name}' has a path and no host: it would match that path on every domain the edge serves; " +
                           "give it a host, or the operator allows host-less routes with SwarmEdge:Routing:AllowHostlessRoutes");
                return null;
            }

            if (hosts.ClashHostless(tenant, route.PathPrefix) is { } holder)
            {
                errors.Add($"route '{route.Name}' (path {route.PathPrefix ?? "/"} on any host) overlaps {holder.Service} route '{holder.Route}' " +
                           $"of {holder.Tenant.Described}, which was there first; it is ignored");
                return null;
            }

            return route;
        }

        foreach (var host in route.Hosts)
        {
            if (!policy.Allows(tenant, host))
            {
                errors.Add($"route '{route.Name}': {tenant.Described} may not claim host {host} (SwarmEdge:Routing:AllowedHosts); it is ignored");
                return null;
            }

            if (hosts.Clash(tenant, host) is { } holder)
            {
                errors.Add($"route '{route.Name}': host {host} overlaps a host of {holder.Service} route '{holder.Route}' " +
                           $"({holder.Tenant.Described}), which claimed it first; a host is served by one tenant only, so it is ignored");
                return null;
            }
        }

        return route;
    }

    /// <summary>
    /// An entrypoint is a port SwarmEdge was configured to listen on. Its plain route (no SNI) belongs to the
    /// oldest service that asks for it; its TLS server names, like hosts, to the tenant that claimed each first
    /// (and only as the routing policy allows). Ports cannot be opened from a label: ops decide what the edge exposes.
    /// </summary>
    private static ImmutableArray<TcpRoute> ClaimEntrypoints(
        string serviceName,
        Tenant tenant,
        RoutingPolicy policy,
        ImmutableArray<TcpRoute> routes,
        IReadOnlyCollection<int> configured,
        Dictionary<int, (string Service, string Route)> claims,
        Dictionary<int, HostOwnership> sniClaims,
        ImmutableArray<string>.Builder errors)
    {
        var kept = ImmutableArray.CreateBuilder<TcpRoute>();
        foreach (var tcp in routes)
        {
            var key = tcp.Name == TcpRoute.DefaultName ? LabelKeys.TcpEntrypoint : $"{LabelKeys.TcpRoutersPrefix}{tcp.Name}.entrypoint";
            if (!configured.Contains(tcp.Entrypoint))
            {
                errors.Add($"label {key}=\"{tcp.Entrypoint}\": SwarmEdge does not listen on that port " +
                           $"(SwarmEdge:Tcp:Entrypoints is {(configured.Count == 0 ? "empty" : string.Join(", ", configured.Order()))})");
                continue;
            }

            if (!tcp.Sni.IsEmpty)
            {
                if (!sniClaims.TryGetValue(tcp.Entrypoint, out var names))
                {
                    sniClaims[tcp.Entrypoint] = names = new HostOwnership();
                }

                var refused = tcp.Sni.Select(n => policy.Allows(tenant, n)
                        ? names.Clash(tenant, n) is { } holder ? $"SNI {n} on entrypoint {tcp.Entrypoint} overlaps {holder.Service} router '{holder.Route}' ({holder.Tenant.Described}), which claimed it first" : null
                        : $"{tenant.Described} may not claim SNI {n} (SwarmEdge:Routing:AllowedHosts)")
                    .FirstOrDefault(e => e is not null);
                if (refused is not null)
                {
                    errors.Add($"TCP router '{tcp.Name}': {refused}; it is ignored");
                    continue;
                }

                foreach (var name in tcp.Sni)
                {
                    names.Claim(name, new HostOwnership.Owner(tenant, serviceName, tcp.Name));
                }

                kept.Add(tcp);
                continue;
            }

            if (claims.TryGetValue(tcp.Entrypoint, out var owner))
            {
                errors.Add($"TCP entrypoint {tcp.Entrypoint} is already served by {owner.Service}" +
                           (owner.Route == TcpRoute.DefaultName ? "" : $" router '{owner.Route}'") + "; ignored: choose another entrypoint");
                continue;
            }

            claims[tcp.Entrypoint] = (serviceName, tcp.Name);
            kept.Add(tcp);
        }

        return kept.ToImmutable();
    }

    private static string Describe(IEnumerable<string> names)
    {
        var list = names.ToList();
        return list.Count == 0 ? "none" : string.Join(", ", list);
    }

    /// <summary>
    /// Where a route matches: a host, a path and a priority. Two routes with the same claim are both served only when
    /// ASP.NET's routing tells every request between them (TakeSameRequests): otherwise the requests both match
    /// would fail with an ambiguous match.
    /// </summary>
    private sealed record RouteClaim(string Host, string Path, bool ExactPath, int Priority)
    {
        public static RouteClaim[] Of(HttpRoute route)
        {
            var path = (route.PathPrefix ?? "/").ToLowerInvariant();
            if (route.Hosts.IsEmpty)
            {
                return [new RouteClaim("*", path, route.ExactPath, route.Priority ?? 0)];
            }

            var claims = new RouteClaim[route.Hosts.Length];
            for (var i = 0; i < claims.Length; i++)
            {
                claims[i] = new RouteClaim(route.Hosts[i].ToLowerInvariant(), path, route.ExactPath, route.Priority ?? 0);
            }

            return claims;
        }

        /// <summary>
        /// Whether a request could match both with neither preferred. Routing prefers a route that names methods over
        /// one that does not, and one with more header matchers; between equals, both match a request when their
        /// methods overlap (or neither names any) and no header needs two different values.
        /// </summary>
        public static bool TakeSameRequests(HttpRoute a, HttpRoute b) =>
            a.Methods.IsEmpty == b.Methods.IsEmpty
            && (a.Methods.IsEmpty || a.Methods.Intersect(b.Methods, StringComparer.OrdinalIgnoreCase).Any())
            && a.Headers.Length == b.Headers.Length
            && !a.Headers.Any(h => b.Headers.Any(o => o.Name.Equals(h.Name, StringComparison.OrdinalIgnoreCase) && o.Value != h.Value));

        public static string Matchers(HttpRoute route) =>
            (route.Methods.IsEmpty ? "" : $", methods {string.Join(',', route.Methods)}")
            + (route.Headers.IsEmpty ? "" : $", headers {string.Join("; ", route.Headers.Select(h => $"{h.Name}={h.Value}"))}");

        public override string ToString() =>
            $"host {Host}, {(ExactPath ? "exact path" : "path")} {Path}" + (Priority != 0 ? $", priority {Priority}" : "");
    }
}
