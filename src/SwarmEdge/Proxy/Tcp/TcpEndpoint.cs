using System.Net;

namespace SwarmEdge.Proxy.Tcp;

/// <summary>A task behind a TCP route.</summary>
internal sealed record TcpEndpoint(string TaskId, IPEndPoint Address);
