namespace SwarmEdge.Commands.Convert;

/// <summary>How one routing-mesh port is reached through SwarmEdge instead.</summary>
internal enum PortRoute
{
    /// <summary>An HTTP route to the port (an HTTP-looking port).</summary>
    Http,

    /// <summary>A TCP route from an edge entrypoint of the same number.</summary>
    Tcp,

    /// <summary>
    /// Not routable by SwarmEdge (UDP, a port range): it stays published through the routing mesh, and the
    /// service in vip mode (SwarmEdge reaches the tasks by their own addresses in either mode).
    /// </summary>
    RoutingMesh,
}
