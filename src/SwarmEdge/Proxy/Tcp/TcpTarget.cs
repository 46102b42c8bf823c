namespace SwarmEdge.Proxy.Tcp;

/// <summary>
/// Where connections to one entrypoint go: the service's tasks, on the route's port. Service names it in logs
/// and metrics: the service, or "service/router" for a named TCP router.
/// </summary>
internal sealed record TcpTarget(string Service, EquatableArray<TcpEndpoint> Endpoints);
