using System.Collections.Immutable;

namespace SwarmEdge.Catalog;

/// <summary>
/// Desired state: every opted-in service with its routes and live endpoints. Inputs is what it was built from:
/// the next build takes every service whose inputs did not change from here, the same instance, so that what
/// follows (the YARP configuration, the applier, the change report) skips it by reference.
/// </summary>
internal sealed record ServiceCatalog(ImmutableArray<CatalogService> Services)
{
    public static readonly ServiceCatalog Empty = new(ImmutableArray<CatalogService>.Empty);

    /// <summary>Null for a catalog not built by CatalogBuilder (then the next build starts from nothing).</summary>
    public CatalogInputs? Inputs { get; init; }

    public CatalogService? Find(string serviceId) => Services.FirstOrDefault(s => s.Id == serviceId);

    /// <summary>For lookups in a loop over services: Find is a linear scan, O(n²) at a thousand services.</summary>
    public Dictionary<string, CatalogService> ById() => Services.ToDictionary(s => s.Id, StringComparer.Ordinal);
}
