namespace SwarmEdge.Discovery;

/// <summary>
/// One observation. Subject is the service ID for ServiceRead and the service name for DnsAnswered, whose
/// Answer is the lookup's result (a new set of addresses, a failure, or the recovery from one). RoutesFile is what
/// a read of the routes file gave.
/// </summary>
internal readonly record struct DiscoverySignal(DiscoverySignalKind Kind, string? Subject, string Reason, DnsAnswer? Answer = null, RoutesFileRead? RoutesFile = null);
