namespace SwarmEdge.Commands.Audit;

/// <summary>
/// How a port is published. Ingress: through the routing mesh, so every node of the swarm listens on it.
/// Host: only the nodes that run one of the service's tasks listen on it.
/// </summary>
internal enum PublishMode
{
    Ingress,
    Host,
}
