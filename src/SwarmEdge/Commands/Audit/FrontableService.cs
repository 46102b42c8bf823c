using System.Collections.Immutable;

namespace SwarmEdge.Commands.Audit;

/// <summary>
/// A vip-mode service without host-mode ports: SwarmEdge could front it once it moves to dnsrr (and, if it
/// publishes ports through the routing mesh, once those go). OptedIn: it already carries swarmedge.enable.
/// </summary>
internal sealed record FrontableService(string Name, bool OptedIn, ImmutableArray<IngressPort> IngressPorts);
