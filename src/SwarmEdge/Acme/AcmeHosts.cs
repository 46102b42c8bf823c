using System.Collections.Immutable;
using SwarmEdge.Catalog;

namespace SwarmEdge.Acme;

/// <summary>
/// The hosts that get certificates from the CA: those of routes the catalog accepted (so the host policy and
/// route ownership have already decided who may claim them) whose acme label, or SwarmEdge:Acme:AllRoutes, says
/// so, and which serve HTTPS. The edges forward HTTP-01 challenges for exactly these hosts; the issuer orders
/// exactly these. A wildcard needs DNS-01, which is not offered: it is listed apart, to be reported.
/// </summary>
internal static class AcmeHosts
{
    public static (ImmutableArray<string> Hosts, ImmutableArray<string> Wildcards) Of(ServiceCatalog catalog, bool allRoutes)
    {
        var hosts = new SortedSet<string>(StringComparer.Ordinal);
        var wildcards = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var service in catalog.Services.Where(s => s.IsHttpRouted))
        {
            foreach (var route in service.Routes.Where(r => (r.Tls?.Acme ?? allRoutes) && r.Tls?.Scheme != RouteScheme.Http))
            {
                foreach (var host in route.Hosts)
                {
                    // A route's host may carry a port; the certificate names the host alone.
                    var name = host.Split(':')[0];
                    (name.StartsWith("*.", StringComparison.Ordinal) ? wildcards : hosts).Add(name);
                }
            }
        }

        return ([.. hosts], [.. wildcards]);
    }
}
