using SwarmEdge.Discovery;

namespace SwarmEdge.Catalog;

/// <summary>
/// What one catalog was built from. Two builds whose services, networks and settings are the same decide the
/// same routes, claims and errors (the claims only ever depend on these); then only endpoints need a look, and
/// only those of services whose tasks, DNS answer or nodes changed.
/// </summary>
internal sealed record CatalogInputs(
    SwarmSnapshot Snapshot,
    IReadOnlyCollection<string> SharedNetworks,
    IReadOnlyCollection<int> TcpEntrypoints,
    RoutingPolicy Policy)
{
    /// <summary>Whether routing decided from these inputs is still the routing for the next ones.</summary>
    public bool SameRouting(CatalogInputs next) =>
        ReferenceEquals(Policy, next.Policy)
        && SharedNetworks.SequenceEqual(next.SharedNetworks)
        && TcpEntrypoints.SequenceEqual(next.TcpEntrypoints)
        && SwarmSnapshot.SameEntries(Snapshot.Networks, next.Snapshot.Networks)
        && SameServices(Snapshot.Services, next.Snapshot.Services);

    /// <summary>
    /// Whether a service's endpoints chosen from these inputs are still its endpoints for the next ones (with the
    /// same nodes: SameNodes, asked once per build).
    /// </summary>
    public bool SameTasksAndDns(string serviceId, string serviceName, CatalogInputs next) =>
        SwarmSnapshot.SameTasks(Snapshot.TasksOf(serviceId), next.Snapshot.TasksOf(serviceId))
        && SameDns(Snapshot.DnsByServiceName.GetValueOrDefault(serviceName), next.Snapshot.DnsByServiceName.GetValueOrDefault(serviceName));

    public bool SameNodes(CatalogInputs next) => SwarmSnapshot.SameEntries(Snapshot.Nodes, next.Snapshot.Nodes);

    private static bool SameServices(IReadOnlyList<OptedInService> a, IReadOnlyList<OptedInService> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (!SameForRouting(a[i], b[i]))
            {
                return false;
            }
        }

        return true;
    }

    // Routing reads a service's identity, age, labels, networks and (routes file) addresses. Its replicas and
    // update state change with every scale and rolling update and decide nothing.
    private static bool SameForRouting(OptedInService a, OptedInService b) =>
        ReferenceEquals(a, b)
        || (a.Id == b.Id && a.Name == b.Name && a.CreatedAt == b.CreatedAt && a.Labels.Equals(b.Labels)
            && a.NetworkIds.Equals(b.NetworkIds) && Equals(a.StaticAddresses, b.StaticAddresses));

    private static bool SameDns(DnsAnswer? a, DnsAnswer? b) =>
        ReferenceEquals(a, b)
        || (a is not null && b is not null && a.Succeeded == b.Succeeded && a.Addresses.SetEquals(b.Addresses));
}
