using System.Globalization;

namespace SwarmEdge.BenchTool.Sampling;

/// <summary>
/// Memory of a process tree in KiB: the sum of its processes' RSS now (PeakKib null: a peak is the highest of
/// repeated samples), or its cgroup's memory.current and memory.peak.
/// </summary>
internal sealed record MemorySample(long CurrentKib, long? PeakKib, SampleSource Source)
{
    /// <summary>The line `bench-tool rss PID` prints: current_kib peak_kib (or -) source.</summary>
    public string ToLine() =>
        string.Create(CultureInfo.InvariantCulture, $"{CurrentKib} {(PeakKib is { } peak ? peak.ToString(CultureInfo.InvariantCulture) : "-")} {Source.ToString().ToLowerInvariant()}");
}
