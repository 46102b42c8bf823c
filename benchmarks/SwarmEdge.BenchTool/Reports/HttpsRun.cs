namespace SwarmEdge.BenchTool.Reports;

/// <summary>A run.sh --https run (results/https.md).</summary>
internal sealed record HttpsRun(DateTimeOffset MadeAt, MachineInfo Machine, RunSettings Settings, IReadOnlyList<HttpsProxyResult> Proxies);
