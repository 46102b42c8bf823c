using Microsoft.Diagnostics.Tracing;

namespace SwarmEdge.BenchTool.Sampling;

/// <summary>The allocation ticks of a dotnet-trace file (provider Microsoft-Windows-DotNETRuntime, GC keyword, verbose).</summary>
internal static class AllocationTrace
{
    public static List<(string Type, long Bytes)> Ticks(string nettrace)
    {
        var ticks = new List<(string, long)>();
        using var source = new EventPipeEventSource(nettrace);
        source.Clr.GCAllocationTick += e => ticks.Add((e.TypeName ?? "?", e.AllocationAmount64));
        source.Process();
        return ticks;
    }
}
