using System.Collections.Immutable;

namespace SwarmEdge.Commands.Audit;

/// <summary>
/// What swarmedge audit found. Exposed is what decides the exit code. HostNetworkOnEdgeNodes is for the operator
/// to read, not a failure: edge-ha.yml's keepalived belongs there, and only it.
/// </summary>
internal sealed record ExposureReport(
    EdgeLabel EdgeLabel,
    int ServiceCount,
    ImmutableArray<IngressPort> IngressPorts,
    ImmutableArray<FrontableService> Frontable,
    ImmutableArray<AuditNode> EdgeNodes,
    ImmutableArray<AuditNode> NonEdgeNodes,
    ImmutableArray<NodeExposure> ExposedNodes,
    ImmutableArray<PortToClose> PortsToClose,
    ImmutableArray<PortReplacement> Replacements = default,
    ImmutableArray<HostNetworkService> HostNetworkOnEdgeNodes = default)
{
    /// <summary>
    /// A routing-mesh port is exposure even when every node is an edge node: it bypasses the edge. A host-mode
    /// port is exposure only on a node that is not an edge node.
    /// </summary>
    public bool Exposed => !IngressPorts.IsEmpty || !ExposedNodes.IsEmpty;

    public ImmutableArray<PortReplacement> Replacements { get; init; } = Replacements.IsDefault ? [] : Replacements;

    public ImmutableArray<HostNetworkService> HostNetworkOnEdgeNodes { get; init; } = HostNetworkOnEdgeNodes.IsDefault ? [] : HostNetworkOnEdgeNodes;
}
