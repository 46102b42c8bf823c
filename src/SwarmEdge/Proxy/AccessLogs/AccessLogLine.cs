using System.Net;

namespace SwarmEdge.Proxy.AccessLogs;

/// <summary>What one access log line says of a request; the strings are the request's own, not copies.</summary>
internal readonly record struct AccessLogLine(
    DateTimeOffset Time,
    IPAddress? Client,
    string Method,
    string Host,
    string Path,
    string Query,
    string Protocol,
    int Status,
    long? Bytes,
    TimeSpan Duration,
    TimeSpan Upstream,
    string? Route,
    string? Service,
    string? Task,
    int Retries,
    string? UserAgent,
    string? Referer);
