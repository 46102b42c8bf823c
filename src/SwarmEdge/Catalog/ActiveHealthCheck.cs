namespace SwarmEdge.Catalog;

/// <summary>YARP active health checks: GET Path on every task each Interval; out after Threshold failures in a row.</summary>
internal sealed record ActiveHealthCheck(string Path, TimeSpan Interval, TimeSpan Timeout, int Threshold);
