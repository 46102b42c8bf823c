using System.Runtime.InteropServices;

namespace SwarmEdge.BenchTool.Sampling;

/// <summary>
/// CPU time and memory of a process and its descendants (a proxy with its workers). When the process's cgroup v2
/// holds exactly that tree, its counters are used: they also account processes of the tree that have already
/// ended, and memory.peak is a true peak rather than the highest of samples. Otherwise (the proxies of run.sh share
/// the script's cgroup) the tree's /proc/PID/stat and /proc/PID/status are summed.
/// </summary>
internal sealed class ProcessTreeSampler(ProcFs fs, long clockTicksPerSecond)
{
    private readonly CgroupV2 _cgroups = new(fs);

    public static ProcessTreeSampler Host() => new(ProcFs.Host, ClockTicksPerSecond());

    /// <summary>The process and its descendants; empty once the process has ended.</summary>
    public IReadOnlySet<int> Tree(int pid) => ProcessTree.Of(pid, Stats().ToDictionary(s => s.Pid, s => s.ParentPid));

    /// <summary>Null when the process has ended.</summary>
    public CpuSample? Cpu(int pid)
    {
        var stats = Stats();
        var tree = ProcessTree.Of(pid, stats.ToDictionary(s => s.Pid, s => s.ParentPid));
        if (tree.Count == 0)
        {
            return null;
        }

        if (OwnCgroup(pid, tree) is { } dir && _cgroups.Cpu(dir) is { } cgroupCpu)
        {
            return new CpuSample(cgroupCpu.UserUs, cgroupCpu.SystemUs, SampleSource.Cgroup);
        }

        long user = 0, system = 0;
        foreach (var stat in stats.Where(s => tree.Contains(s.Pid)))
        {
            user += stat.UserTicks;
            system += stat.SystemTicks;
        }

        return new CpuSample(user * 1_000_000 / clockTicksPerSecond, system * 1_000_000 / clockTicksPerSecond, SampleSource.Proc);
    }

    /// <summary>Null when the process has ended.</summary>
    public MemorySample? Memory(int pid)
    {
        var tree = Tree(pid);
        if (tree.Count == 0)
        {
            return null;
        }

        if (OwnCgroup(pid, tree) is { } dir
            && _cgroups.MemoryCurrentBytes(dir) is { } current && _cgroups.MemoryPeakBytes(dir) is { } peak)
        {
            return new MemorySample(current / 1024, peak / 1024, SampleSource.Cgroup);
        }

        var rss = tree.Sum(p => fs.Read($"/proc/{p}/status") is { } status ? ProcStatus.RssKib(status) : 0);
        return new MemorySample(rss, null, SampleSource.Proc);
    }

    /// <summary>The process's cgroup v2 directory when its processes are exactly the tree; null otherwise.</summary>
    public string? OwnCgroup(int pid, IReadOnlySet<int> tree) =>
        _cgroups.DirectoryOf(pid) is { } dir && _cgroups.Processes(dir).SetEquals(tree) ? dir : null;

    private List<ProcStat> Stats() =>
        fs.ProcessIds()
            .Select(pid => fs.Read($"/proc/{pid}/stat") is { } line ? ProcStat.Parse(line) : null)
            .OfType<ProcStat>()
            .ToList();

    /// <summary>The unit of /proc/PID/stat's utime and stime (USER_HZ; 100 on Linux).</summary>
    private static long ClockTicksPerSecond()
    {
        const int ScClkTck = 2;   // _SC_CLK_TCK in glibc and musl
        var ticks = SysConf(ScClkTck);
        return ticks > 0 ? ticks : 100;
    }

    [DllImport("libc", EntryPoint = "sysconf")]
    private static extern long SysConf(int name);
}
