using System.Collections.Immutable;

namespace SwarmEdge.Commands.Audit;

/// <summary>
/// A service as the audit needs it: every service of the swarm, opted in or not. HostNetwork: its tasks run in
/// their node's own network namespace.
/// </summary>
internal sealed record AuditService(
    string Id,
    string Name,
    string EndpointMode,
    ImmutableArray<PortPublication> Ports,
    ImmutableDictionary<string, string> Labels,
    bool HostNetwork = false);
