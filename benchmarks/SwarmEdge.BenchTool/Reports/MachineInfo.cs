using System.Globalization;
using SwarmEdge.BenchTool.Sampling;

namespace SwarmEdge.BenchTool.Reports;

/// <summary>The machine a run was made on, as the reports describe it.</summary>
internal sealed record MachineInfo(string CpuModel, long MemTotalKib, string Kernel)
{
    /// <summary>From /proc/cpuinfo (the first "model name"), /proc/meminfo (MemTotal) and the kernel release.</summary>
    public static MachineInfo Read(ProcFs fs)
    {
        var model = (fs.Read("/proc/cpuinfo") ?? "").Split('\n')
            .Where(l => l.StartsWith("model name", StringComparison.Ordinal) && l.Contains(": ", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf(": ", StringComparison.Ordinal) + 2)..])
            .FirstOrDefault() ?? "";
        var memTotal = (fs.Read("/proc/meminfo") ?? "").Split('\n')
            .Where(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))
            .Select(l => l.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            .Select(f => f.Length > 1 && long.TryParse(f[1], CultureInfo.InvariantCulture, out var kib) ? kib : 0)
            .FirstOrDefault();
        var kernel = (fs.Read("/proc/sys/kernel/osrelease") ?? "").Trim();
        return new MachineInfo(model, memTotal, kernel);
    }
}
