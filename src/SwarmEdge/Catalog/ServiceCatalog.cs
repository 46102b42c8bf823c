using System.Collections.Frozen;
using System.Collections.Immutable;

namespace SwarmEdge.Catalog;

/// <summary>
/// Desired state: every opted-in service with its routes and live endpoints. DnsConfirmedTasks carries, from
/// one build to the next, the tasks that Docker's DNS has listed at least once (see EndpointSelector). A plain
/// hash set that no one writes to once built: every task of every service is looked up in it on every rebuild,
/// and an immutable hash set's tree made that lookup and the set's construction a third of a rebuild at 10,000
/// tasks (a frozen set looks up as fast but costs more to build than it saves, as it is built once per rebuild).
/// </summary>
internal sealed record ServiceCatalog(
    ImmutableArray<CatalogService> Services,
    IReadOnlySet<string> DnsConfirmedTasks)
{
    public static readonly ServiceCatalog Empty = new([], FrozenSet<string>.Empty);

    public CatalogService? Find(string serviceId) => Services.FirstOrDefault(s => s.Id == serviceId);

    /// <summary>For lookups in a loop over services: Find is a linear scan, O(n²) at a thousand services.</summary>
    public Dictionary<string, CatalogService> ById() => Services.ToDictionary(s => s.Id, StringComparer.Ordinal);
}
