using System.Collections.Immutable;

namespace SwarmEdge.Commands.Audit;

/// <summary>
/// One port to close on the non-edge nodes, with what publishes it there. Nodes is empty for a port that is
/// open on every node (routing mesh); otherwise it names the non-edge nodes that publish it in host mode.
/// </summary>
internal sealed record PortToClose(int Port, string Protocol, ImmutableArray<string> Services, PublishMode Mode, ImmutableArray<string> Nodes);
