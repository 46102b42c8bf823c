namespace SwarmEdge.BenchTool.Reports;

/// <summary>One proxy terminating TLS: keep-alive requests, and requests with Connection: close (one handshake each).</summary>
internal sealed record HttpsProxyResult(string Name, string Label, LoadMeasurement KeepAlive, LoadMeasurement Handshake);
