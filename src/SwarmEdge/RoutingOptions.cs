namespace SwarmEdge;

/// <summary>
/// The operator's rules for what service labels may claim (see Catalog/RoutingPolicy): labels are written by
/// whoever deploys a service, these by whoever runs the edge.
/// </summary>
internal sealed class RoutingOptions
{
    /// <summary>
    /// Host of a service that sets no host and no path, "{service}" standing for its name: "{service}" or
    /// "{service}.apps.example.com". Empty (the default): such a service has no route.
    /// </summary>
    public string DefaultHost { get; set; } = "";

    /// <summary>
    /// Whether a route may have a path and no host. Such a route matches that path on every domain, so it is
    /// off by default; when on, it only gets requests no host route matches.
    /// </summary>
    public bool AllowHostlessRoutes { get; set; }

    /// <summary>Hosts services may claim, each for some tenants or for all. Empty: any host.</summary>
    public List<AllowedHostOptions> AllowedHosts { get; set; } = [];

    /// <summary>
    /// The service label whose value names a service's tenant (its team). A host belongs to the tenant that
    /// claimed it first. Default: the stack namespace docker stack deploy sets.
    /// </summary>
    public string TenantLabel { get; set; } = "com.docker.stack.namespace";
}
