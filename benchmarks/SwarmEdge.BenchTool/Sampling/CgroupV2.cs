using System.Globalization;
using System.Text;

namespace SwarmEdge.BenchTool.Sampling;

/// <summary>
/// A process's cgroup v2 and what it accounts: cpu.stat (user_usec, system_usec; present in every v2 cgroup) and,
/// with the memory controller, memory.current and memory.peak. The v2 hierarchy is found through /proc/self/mountinfo
/// (it is /sys/fs/cgroup on a v2-only host, /sys/fs/cgroup/unified on a hybrid one), the process's place in it
/// through the "0::" line of /proc/PID/cgroup.
/// </summary>
internal sealed class CgroupV2(ProcFs fs)
{
    /// <summary>The cgroup directory (absolute path) of a process; null without a cgroup v2 mount or entry.</summary>
    public string? DirectoryOf(int pid)
    {
        var mount = fs.Read("/proc/self/mountinfo") is { } mountInfo ? Cgroup2Mount(mountInfo) : null;
        var path = fs.Read($"/proc/{pid}/cgroup") is { } cgroup ? UnifiedPath(cgroup) : null;
        if (mount is not { } m || path is null)
        {
            return null;
        }

        string relative;
        if (m.Root == "/")
        {
            relative = path;
        }
        else if (path == m.Root || path.StartsWith(m.Root + "/", StringComparison.Ordinal))
        {
            relative = path[m.Root.Length..];
        }
        else
        {
            return null;
        }

        return m.MountPoint.TrimEnd('/') + "/" + relative.TrimStart('/');
    }

    /// <summary>Every process in the cgroup and in the cgroups below it: all that its counters account.</summary>
    public IReadOnlySet<int> Processes(string directory)
    {
        var pids = new HashSet<int>();
        var pending = new Stack<string>([directory]);
        while (pending.TryPop(out var dir))
        {
            foreach (var line in (fs.Read(dir.TrimEnd('/') + "/cgroup.procs") ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                if (int.TryParse(line, CultureInfo.InvariantCulture, out var pid))
                {
                    pids.Add(pid);
                }
            }

            foreach (var child in fs.Directories(dir))
            {
                pending.Push(child);
            }
        }

        return pids;
    }

    /// <summary>user_usec and system_usec of cpu.stat; null when the file is missing or lacks them.</summary>
    public (long UserUs, long SystemUs)? Cpu(string directory) =>
        fs.Read(directory.TrimEnd('/') + "/cpu.stat") is { } text ? ParseCpuStat(text) : null;

    public long? MemoryCurrentBytes(string directory) => Number(directory, "memory.current");

    public long? MemoryPeakBytes(string directory) => Number(directory, "memory.peak");

    public static (long UserUs, long SystemUs)? ParseCpuStat(string text)
    {
        long? user = null, system = null;
        foreach (var line in text.Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 2 && long.TryParse(fields[1], CultureInfo.InvariantCulture, out var value))
            {
                if (fields[0] == "user_usec")
                {
                    user = value;
                }
                else if (fields[0] == "system_usec")
                {
                    system = value;
                }
            }
        }

        return user is { } u && system is { } s ? (u, s) : null;
    }

    /// <summary>The path of the "0::PATH" line of /proc/PID/cgroup (cgroup v2); null without one.</summary>
    public static string? UnifiedPath(string procCgroup) =>
        procCgroup.Split('\n').Where(l => l.StartsWith("0::", StringComparison.Ordinal)).Select(l => l[3..].Trim()).FirstOrDefault();

    /// <summary>
    /// Mount point and root of the cgroup2 file system in a mountinfo text: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS
    /// [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS", paths with octal escapes (\040 for a space).
    /// </summary>
    public static (string MountPoint, string Root)? Cgroup2Mount(string mountInfo)
    {
        foreach (var line in mountInfo.Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var separator = Array.IndexOf(fields, "-");
            if (separator >= 5 && separator + 1 < fields.Length && fields[separator + 1] == "cgroup2")
            {
                return (Unescape(fields[4]), Unescape(fields[3]));
            }
        }

        return null;
    }

    private long? Number(string directory, string file) =>
        fs.Read(directory.TrimEnd('/') + "/" + file) is { } text
        && long.TryParse(text.Trim(), CultureInfo.InvariantCulture, out var value) ? value : null;

    private static string Unescape(string path)
    {
        if (!path.Contains('\\', StringComparison.Ordinal))
        {
            return path;
        }

        var result = new StringBuilder();
        for (var i = 0; i < path.Length; i++)
        {
            if (path[i] == '\\' && i + 3 < path.Length && IsOctal(path[i + 1]) && IsOctal(path[i + 2]) && IsOctal(path[i + 3]))
            {
                result.Append((char)Convert.ToInt32(path.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                result.Append(path[i]);
            }
        }

        return result.ToString();
    }

    private static bool IsOctal(char c) => c is >= '0' and <= '7';
}
