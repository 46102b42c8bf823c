namespace SwarmEdge.Catalog;

/// <summary>
/// A TCP route: connections to the edge's Entrypoint port go to the tasks' Port. Name is the router's
/// ("default" for swarmedge.tcp.port and swarmedge.tcp.entrypoint). Sni: the TLS server names (lower case;
/// "*.name" for one label) whose connections this route takes on a shared entrypoint, TLS passing through
/// untouched; empty: every connection of the entrypoint that no SNI route takes.
/// </summary>
internal sealed record TcpRoute(int Port, int Entrypoint, string Name = TcpRoute.DefaultName, EquatableArray<string> Sni = default)
{
    public const string DefaultName = "default";
}
