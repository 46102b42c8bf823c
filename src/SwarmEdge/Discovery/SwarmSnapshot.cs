using System.Collections.Immutable;

namespace SwarmEdge.Discovery;

/// <summary>Everything the catalog is built from: the last successful reads of each source.</summary>
internal sealed record SwarmSnapshot(
    ImmutableArray<OptedInService> Services,
    ImmutableDictionary<string, ImmutableArray<SwarmTask>> TasksByService,
    ImmutableDictionary<string, SwarmNetwork> Networks,
    ImmutableDictionary<string, SwarmNode> Nodes,
    ImmutableDictionary<string, DnsAnswer> DnsByServiceName)
{
    public static readonly SwarmSnapshot Empty = new(
        [],
        ImmutableDictionary<string, ImmutableArray<SwarmTask>>.Empty,
        ImmutableDictionary<string, SwarmNetwork>.Empty,
        ImmutableDictionary<string, SwarmNode>.Empty,
        ImmutableDictionary<string, DnsAnswer>.Empty);

    public ImmutableArray<SwarmTask> TasksOf(string serviceId) =>
        TasksByService.TryGetValue(serviceId, out var tasks) ? tasks : [];
}
