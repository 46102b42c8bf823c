using System.Collections.Immutable;
using SwarmEdge.Discovery;

namespace SwarmEdge.Catalog;

/// <summary>
/// The middlewares declared across the swarm, by tenant: a route uses those of its own tenant only, so a team
/// cannot put its middleware (a forward auth to its own service, a header) in another team's chain, nor take a
/// name another team uses. Within a tenant the oldest service's declaration of a name holds; a newer service
/// declaring it differently gets an error. A name no longer declared keeps, for the routes that had it, the
/// definition they were last built with (the declaring service may be redeployed): a chain is never served short.
/// </summary>
internal sealed class MiddlewareDeclarations
{
    private readonly Dictionary<(string Owner, string Name), (Middleware Middleware, string Service)> _declared = [];

    public static string OwnerOf(Tenant tenant) => tenant.Name is { } name ? $"tenant {name}" : $"service {tenant.Service}";

    /// <summary>Records a service's declarations; a clash with an older one of the same tenant is an error for this service.</summary>
    public void Declare(string service, Tenant tenant, EquatableArray<Middleware> middlewares, List<string> errors)
    {
        var owner = OwnerOf(tenant);
        foreach (var middleware in middlewares)
        {
            var owned = middleware with { Owner = owner };
            if (_declared.TryGetValue((owner, middleware.Name), out var first))
            {
                if (first.Middleware != owned)
                {
                    errors.Add($"middleware '{middleware.Name}' is declared differently by {first.Service} of {tenant.Described}, which was first; " +
                               "this declaration is ignored (declare a name once per tenant)");
                }

                continue;
            }

            _declared[(owner, middleware.Name)] = (owned, service);
        }
    }

    /// <summary>
    /// The routes with their chains resolved; a route naming a middleware its tenant does not declare (and that it
    /// was not built with before) is left out with an error.
    /// </summary>
    public ImmutableArray<HttpRoute> Resolve(Tenant tenant, ImmutableArray<HttpRoute> routes, CatalogService? previous, ImmutableArray<string>.Builder errors)
    {
        var resolved = ImmutableArray.CreateBuilder<HttpRoute>(routes.Length);
        foreach (var route in routes)
        {
            if (route.MiddlewareNames.IsEmpty)
            {
                resolved.Add(route);
                continue;
            }

            var before = previous?.Routes.FirstOrDefault(r => r.Name == route.Name)?.Chain ?? [];
            var chain = new List<Middleware>();
            foreach (var named in route.MiddlewareNames)
            {
                // name@file: one of the routes file's shared middlewares, which the operator lets any route use.
                var fromFile = named.EndsWith(RoutesFile.NameSuffix, StringComparison.Ordinal);
                var (owner, name, declarer) = fromFile
                    ? (OwnerOf(RoutingPolicy.SharedFileTenant), named[..^RoutesFile.NameSuffix.Length], RoutingPolicy.SharedFileTenant)
                    : (OwnerOf(tenant), named, tenant);
                if (_declared.TryGetValue((owner, name), out var declared))
                {
                    chain.Add(declared.Middleware);
                }
                else if (before.FirstOrDefault(m => m.Name == name && m.Owner == owner) is { } kept)
                {
                    errors.Add($"route '{route.Name}': middleware '{named}' is no longer declared by a service of {declarer.Described}; " +
                               "the route keeps the definition it had until it is declared again or taken out of the route");
                    chain.Add(kept);
                }
                else
                {
                    errors.Add($"route '{route.Name}': middleware '{named}' is not declared by any service of {declarer.Described} " +
                               $"({LabelKeys.MiddlewaresPrefix}{name}.<kind>.<option>; a route uses its own tenant's middlewares and the routes file's, as name@file); the route is not served");
                    chain.Clear();
                    break;
                }
            }

            if (chain.Count == route.MiddlewareNames.Length)
            {
                resolved.Add(route with { Chain = chain.ToEquatableArray() });
            }
        }

        return resolved.ToImmutable();
    }
}
