namespace SwarmEdge.Commands.Audit;

/// <summary>A port published through the routing mesh: every node of the swarm accepts connections on it.</summary>
internal sealed record IngressPort(string Service, int PublishedPort, int TargetPort, string Protocol);
