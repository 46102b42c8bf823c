namespace SwarmEdge.Discovery;

/// <summary>
/// A swarm service that opted in (it carries a swarmedge.enable label), as the Docker API reported it.
/// DesiredReplicas is null for global services. StaticAddresses are the endpoints of a service of the routes file
/// (SwarmEdge:Discovery:RoutesFile), which has no tasks; null for a swarm service.
/// </summary>
internal sealed record OptedInService(
    string Id,
    string Name,
    DateTime CreatedAt,
    string EndpointMode,
    EquatableDictionary<string, string> Labels,
    EquatableArray<string> NetworkIds,
    bool UpdateInProgress,
    int? DesiredReplicas,
    EquatableArray<System.Net.IPAddress>? StaticAddresses = null);
