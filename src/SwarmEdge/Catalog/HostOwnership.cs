namespace SwarmEdge.Catalog;

/// <summary>
/// Which tenant serves which host, for one catalog build. Claims are made oldest service first, so a host
/// belongs to the tenant that claimed it first, and another tenant's route that overlaps it is refused,
/// whatever its path or priority: requests are matched by priority before path, and a host's cookies and
/// Authorization headers go to every path on it. Two host names overlap when one request host can match both:
/// the same name, a name and a wildcard above it, two nested wildcards. Host-less routes only ever get
/// requests that no host route matches (see ProxyConfigBuilder), so they are compared with each other only,
/// by path. Ports are ignored: a tenant owns a name on every port.
/// </summary>
internal sealed class HostOwnership
{
    /// <summary>The route that holds a host (or, for host-less routes, a path on every host).</summary>
    internal sealed record Owner(Tenant Tenant, string Service, string Route);

    // Host names as claimed ("a.example.com", "*.example.com"), without the port.
    private readonly Dictionary<string, Owner> _names = new(StringComparer.Ordinal);

    // A name's owners of names strictly below it, one per tenant: "example.com" holds those of "a.example.com" and
    // "*.a.example.com". The tenants as a set too: thousands of services under one domain are thousands of tenants.
    private readonly Dictionary<string, (List<Owner> Owners, HashSet<Tenant> Tenants)> _below = new(StringComparer.Ordinal);

    private readonly List<(string Path, Owner Owner)> _hostless = [];

    /// <summary>The other tenant's route that already holds a host overlapping this one, if any.</summary>
    public Owner? Clash(Tenant tenant, string host)
    {
        var name = HostName.WithoutPort(host);
        if (_names.TryGetValue(name, out var owner) && owner.Tenant != tenant)
        {
            return owner;
        }

        foreach (var parent in HostName.Parents(name))
        {
            if (_names.TryGetValue("*." + parent, out owner) && owner.Tenant != tenant)
            {
                return owner;
            }
        }

        return HostName.IsWildcard(name) && _below.TryGetValue(name[2..], out var below)
            ? below.Owners.FirstOrDefault(o => o.Tenant != tenant)
            : null;
    }

    /// <summary>The other tenant's host-less route whose path prefix overlaps this one, if any.</summary>
    public Owner? ClashHostless(Tenant tenant, string? pathPrefix) =>
        _hostless.FirstOrDefault(h => h.Owner.Tenant != tenant && PathsOverlap(h.Path, pathPrefix ?? "/")).Owner;

    public void Claim(string host, Owner owner)
    {
        var name = HostName.WithoutPort(host);
        _names.TryAdd(name, owner);
        foreach (var parent in HostName.Parents(name))
        {
            if (!_below.TryGetValue(parent, out var below))
            {
                _below[parent] = below = ([], []);
            }

            if (below.Tenants.Add(owner.Tenant))
            {
                below.Owners.Add(owner);
            }
        }
    }

    public void ClaimHostless(string? pathPrefix, Owner owner) => _hostless.Add((pathPrefix ?? "/", owner));

    /// <summary>
    /// Two path prefixes overlap when one request path can start with both ("/api" and "/API/v1": the proxy
    /// matches paths ignoring case).
    /// </summary>
    internal static bool PathsOverlap(string a, string b) =>
        a == "/" || b == "/" || a.Equals(b, StringComparison.OrdinalIgnoreCase)
        || a.StartsWith(b + "/", StringComparison.OrdinalIgnoreCase)
        || b.StartsWith(a + "/", StringComparison.OrdinalIgnoreCase);
}
