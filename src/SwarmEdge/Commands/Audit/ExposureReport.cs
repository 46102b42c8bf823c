using System.Collections.Immutable;

namespace SwarmEdge.Commands.Audit;

/// <summary>A port published through the routing mesh: every node of the swarm accepts connections on it.</summary>
internal sealed record IngressPort(string Service, int PublishedPort, int TargetPort, string Protocol);

/// <summary>What replaces a routing-mesh port behind SwarmEdge: its labels (Commands/Convert/PortPlan), as text.</summary>
internal sealed record PortReplacement(string Service, int PublishedPort, int TargetPort, string Protocol, string Labels);

/// <summary>
/// A vip-mode service without host-mode ports: SwarmEdge could front it once it moves to dnsrr (and, if it
/// publishes ports through the routing mesh, once those go). OptedIn: it already carries swarmedge.enable.
/// </summary>
internal sealed record FrontableService(string Name, bool OptedIn, ImmutableArray<IngressPort> IngressPorts);

/// <summary>A port a node accepts connections on, and the service behind it.</summary>
internal sealed record NodePort(int Port, string Protocol, string Service, PublishMode Mode);

/// <summary>A node that is not an edge node and still accepts connections on published ports.</summary>
internal sealed record NodeExposure(AuditNode Node, ImmutableArray<NodePort> Ports);

/// <summary>
/// One port to close on the non-edge nodes, with what publishes it there. Nodes is empty for a port that is
/// open on every node (routing mesh); otherwise it names the non-edge nodes that publish it in host mode.
/// </summary>
internal sealed record PortToClose(int Port, string Protocol, ImmutableArray<string> Services, PublishMode Mode, ImmutableArray<string> Nodes);

/// <summary>What swarmedge audit found. Exposed is what decides the exit code.</summary>
internal sealed record ExposureReport(
    EdgeLabel EdgeLabel,
    int ServiceCount,
    ImmutableArray<IngressPort> IngressPorts,
    ImmutableArray<FrontableService> Frontable,
    ImmutableArray<AuditNode> EdgeNodes,
    ImmutableArray<AuditNode> NonEdgeNodes,
    ImmutableArray<NodeExposure> ExposedNodes,
    ImmutableArray<PortToClose> PortsToClose,
    ImmutableArray<PortReplacement> Replacements = default)
{
    /// <summary>
    /// A routing-mesh port is exposure even when every node is an edge node: it bypasses the edge. A host-mode
    /// port is exposure only on a node that is not an edge node.
    /// </summary>
    public bool Exposed => !IngressPorts.IsEmpty || !ExposedNodes.IsEmpty;

    public ImmutableArray<PortReplacement> Replacements { get; init; } = Replacements.IsDefault ? [] : Replacements;
}
