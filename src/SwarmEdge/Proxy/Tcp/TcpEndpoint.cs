using System.Net;

namespace SwarmEdge.Proxy.Tcp;

/// <summary>A task behind a TCP route, and its node (empty for an address of the routes file).</summary>
internal sealed record TcpEndpoint(string TaskId, IPEndPoint Address, string NodeId = "");
