namespace SwarmEdge.BenchTool.Reports;

/// <summary>One proxy under slow headers (slowhttptest -H) and slow bodies (-B).</summary>
internal sealed record SlowProxyResult(string Name, string Label, SlowAttack Headers, SlowAttack Bodies);
