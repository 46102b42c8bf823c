using System.Collections.Immutable;

namespace SwarmEdge.Commands.Audit;

/// <summary>
/// A task whose desired state is running. PortStatus holds the ports Docker actually bound for it (host mode,
/// with the published port it picked); it is empty until the task has started.
/// </summary>
internal sealed record AuditTask(string Id, string ServiceId, string NodeId, ImmutableArray<PortPublication> PortStatus);
