namespace SwarmEdge.BenchTool.Sampling;

/// <summary>Where a CPU or memory figure of a process tree came from.</summary>
internal enum SampleSource
{
    /// <summary>Summed over the tree's processes from /proc/PID/stat (CPU) or /proc/PID/status (RSS).</summary>
    Proc,

    /// <summary>The tree's own cgroup v2 (cpu.stat, memory.current and memory.peak), which holds exactly its processes.</summary>
    Cgroup,
}
