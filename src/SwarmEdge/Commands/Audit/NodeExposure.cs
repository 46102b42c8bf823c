using System.Collections.Immutable;

namespace SwarmEdge.Commands.Audit;

/// <summary>A node that is not an edge node and still accepts connections on published ports.</summary>
internal sealed record NodeExposure(AuditNode Node, ImmutableArray<NodePort> Ports);
