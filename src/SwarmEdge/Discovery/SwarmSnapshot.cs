using System.Collections.Immutable;
using System.Net;

namespace SwarmEdge.Discovery;

/// <summary>
/// A swarm service that opted in (it carries a swarmedge.enable label), as the Docker API reported it.
/// DesiredReplicas is null for global services.
/// </summary>
internal sealed record SwarmService(
    string Id,
    string Name,
    DateTime CreatedAt,
    string EndpointMode,
    EquatableDictionary<string, string> Labels,
    EquatableArray<string> NetworkIds,
    bool UpdateInProgress,
    int? DesiredReplicas);

/// <summary>
/// A task whose desired state is running. State is the task's actual state ("running", "starting", ...).
/// Addresses maps network ID to the task's IP on that network.
/// </summary>
internal sealed record SwarmTask(
    string Id,
    string ServiceId,
    string NodeId,
    string State,
    EquatableDictionary<string, IPAddress> Addresses);

internal sealed record SwarmNetwork(string Id, string Name);

/// <summary>
/// Reachable is false for a node the manager sees as down or disconnected: its task IPs are black holes.
/// "unknown" is not down: a new Raft leader marks every node unknown until it checks in again (a few seconds),
/// and a lost node turns down once its grace period is over.
/// </summary>
internal sealed record SwarmNode(string Id, string Hostname, bool Reachable);

/// <summary>
/// One answer for tasks.&lt;service&gt; from Docker's DNS. Succeeded is false when the server did not answer
/// (timeout, refused): such an answer says nothing about the tasks.
/// </summary>
internal sealed record DnsAnswer(bool Succeeded, ImmutableHashSet<IPAddress> Addresses, string? Error)
{
    public static DnsAnswer Failed(string error) => new(false, [], error);
}

/// <summary>Everything the catalog is built from: the last successful reads of each source.</summary>
internal sealed record SwarmSnapshot(
    ImmutableArray<SwarmService> Services,
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
