namespace SwarmEdge.Discovery;

internal sealed record SwarmNetwork(string Id, string Name);
