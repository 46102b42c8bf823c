namespace SwarmEdge.BenchTool.Reports;

/// <summary>A run.sh --slow-clients run (results/slow-clients.md).</summary>
internal sealed record SlowRun(DateTimeOffset MadeAt, MachineInfo Machine, RunSettings Settings, IReadOnlyList<SlowProxyResult> Proxies);
