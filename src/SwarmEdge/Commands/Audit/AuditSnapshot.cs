using System.Collections.Immutable;

namespace SwarmEdge.Commands.Audit;

/// <summary>What swarmedge audit reads from a manager: plain data, so the analysis is a pure function of it.</summary>
internal sealed record AuditSnapshot(
    ImmutableArray<AuditService> Services,
    ImmutableArray<AuditTask> Tasks,
    ImmutableArray<AuditNode> Nodes);
