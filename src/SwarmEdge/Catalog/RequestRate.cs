namespace SwarmEdge.Catalog;

/// <summary>Requests one client address may send to a service: Permits per Period, at most Permits at once.</summary>
internal sealed record RequestRate(int Permits, TimeSpan Period);
