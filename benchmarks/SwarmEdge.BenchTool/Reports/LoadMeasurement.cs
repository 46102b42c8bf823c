using SwarmEdge.BenchTool.Parsing;
using SwarmEdge.BenchTool.Sampling;

namespace SwarmEdge.BenchTool.Reports;

/// <summary>One measured wrk run through a proxy, with the proxy tree's CPU time sampled just before and just after it.</summary>
internal sealed record LoadMeasurement(WrkOutput Wrk, CpuSample? CpuBefore, CpuSample? CpuAfter)
{
    public static readonly LoadMeasurement None = new(WrkOutput.Empty, null, null);

    /// <summary>
    /// CPU the proxy spent per request wrk counted, user and system, in µs; null without requests or without two
    /// samples from the same source (the proxy had ended, or its cgroup changed between them).
    /// </summary>
    public (double User, double System)? CpuUsPerRequest =>
        CpuBefore is { } before && CpuAfter is { } after && before.Source == after.Source && Wrk.Requests > 0
            ? ((double)(after.UserUs - before.UserUs) / Wrk.Requests, (double)(after.SystemUs - before.SystemUs) / Wrk.Requests)
            : null;
}
