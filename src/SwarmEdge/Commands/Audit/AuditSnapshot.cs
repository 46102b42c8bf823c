using System.Collections.Immutable;

namespace SwarmEdge.Commands.Audit;

/// <summary>
/// How a port is published. Ingress: through the routing mesh, so every node of the swarm listens on it.
/// Host: only the nodes that run one of the service's tasks listen on it.
/// </summary>
internal enum PublishMode
{
    Ingress,
    Host,
}

/// <summary>One published port. PublishedPort is 0 for a host-mode port that Docker picks when the task starts.</summary>
internal sealed record PortPublication(string Protocol, int TargetPort, int PublishedPort, PublishMode Mode);

/// <summary>A service as the audit needs it: every service of the swarm, opted in or not.</summary>
internal sealed record AuditService(
    string Id,
    string Name,
    string EndpointMode,
    ImmutableArray<PortPublication> Ports,
    ImmutableDictionary<string, string> Labels);

/// <summary>
/// A task whose desired state is running. PortStatus holds the ports Docker actually bound for it (host mode,
/// with the published port it picked); it is empty until the task has started.
/// </summary>
internal sealed record AuditTask(string Id, string ServiceId, string NodeId, ImmutableArray<PortPublication> PortStatus);

/// <summary>A swarm node with its node labels (docker node update --label-add), where the edge label lives.</summary>
internal sealed record AuditNode(
    string Id,
    string Hostname,
    string Role,
    string State,
    string Availability,
    ImmutableDictionary<string, string> Labels);

/// <summary>What swarmedge audit reads from a manager: plain data, so the analysis is a pure function of it.</summary>
internal sealed record AuditSnapshot(
    ImmutableArray<AuditService> Services,
    ImmutableArray<AuditTask> Tasks,
    ImmutableArray<AuditNode> Nodes);
