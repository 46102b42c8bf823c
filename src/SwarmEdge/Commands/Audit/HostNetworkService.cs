using System.Collections.Immutable;

namespace SwarmEdge.Commands.Audit;

/// <summary>A service on the host network of edge nodes, and those nodes (host names) where its tasks run.</summary>
internal sealed record HostNetworkService(string Service, ImmutableArray<string> Nodes);
