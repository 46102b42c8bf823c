namespace SwarmEdge.Discovery;

internal enum DiscoverySignalKind
{
    /// <summary>Re-read everything: start, event stream (re)connected, node changes.</summary>
    FullRead,

    /// <summary>Re-read one service and its tasks.</summary>
    ServiceRead,

    /// <summary>Docker's DNS answered for a service differently than before.</summary>
    DnsAnswered,

    /// <summary>The routes file changed (or could not be read): its services, or its error.</summary>
    RoutesFileRead,
}
