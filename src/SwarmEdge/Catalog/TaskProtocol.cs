namespace SwarmEdge.Catalog;

/// <summary>
/// What a service's tasks speak: HTTP/1.1 (the default), HTTP/2 without TLS (h2c, what gRPC servers listen with),
/// or TLS (HTTP/2 or HTTP/1.1, as the task's ALPN says).
/// </summary>
internal enum TaskProtocol
{
    Http1,
    H2c,
    Https,
}
