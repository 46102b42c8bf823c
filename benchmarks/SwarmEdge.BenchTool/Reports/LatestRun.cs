namespace SwarmEdge.BenchTool.Reports;

/// <summary>Everything results/latest.md, latest.csv and the chart show: one main run.sh run.</summary>
internal sealed record LatestRun(DateTimeOffset MadeAt, MachineInfo Machine, RunSettings Settings, IReadOnlyList<ProxyResult> Proxies);
