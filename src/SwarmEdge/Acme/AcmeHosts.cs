using System.Collections.Immutable;
using SwarmEdge.Catalog;

namespace SwarmEdge.Acme;

/// <summary>
/// The hosts that get certificates from the CA: those of routes the catalog accepted (so the host policy and
/// route ownership have already decided who may claim them) whose acme label, or SwarmEdge:Acme:AllRoutes, says
/// so, and which serve HTTPS. The edges forward HTTP-01 challenges for exactly these hosts; the issuer orders
/// exactly these. A wildcard needs DNS-01 (wildcards: a DNS provider is configured; the edges never forward its
/// challenges), and a host with letters beyond ASCII would need its punycode form at the CA: what cannot be
/// ordered is listed apart, with why, to be reported.
/// </summary>
internal static class AcmeHosts
{
    public static (ImmutableArray<string> Hosts, ImmutableArray<(string Host, string Reason)> Skipped) Of(ServiceCatalog catalog, bool allRoutes, bool wildcards = false)
    {
        var hosts = new SortedSet<string>(StringComparer.Ordinal);
        var skipped = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var service in catalog.Services.Where(s => s.IsHttpRouted))
        {
            foreach (var route in service.Routes.Where(r => (r.Tls?.Acme ?? allRoutes) && r.Tls?.Scheme != RouteScheme.Http))
            {
                foreach (var host in route.Hosts)
                {
                    // A route's host may carry a port; the certificate names the host alone.
                    var name = host.Split(':')[0];
                    if (name.StartsWith("*.", StringComparison.Ordinal) && !wildcards)
                    {
                        skipped[name] = "a wildcard needs a DNS-01 challenge: set SwarmEdge:Acme:DnsProvider on the issuer";
                    }
                    else if (!name.All(char.IsAscii))
                    {
                        skipped[name] = "a name beyond ASCII would be ordered in its punycode form, which SwarmEdge does not do yet";
                    }
                    else
                    {
                        hosts.Add(name);
                    }
                }
            }
        }

        return ([.. hosts], [.. skipped.Select(s => (s.Key, s.Value))]);
    }
}
