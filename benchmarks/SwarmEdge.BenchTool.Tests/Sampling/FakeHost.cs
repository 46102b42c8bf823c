using System.Globalization;
using System.Text.RegularExpressions;
using SwarmEdge.BenchTool.Sampling;

namespace SwarmEdge.BenchTool.Tests.Sampling;

/// <summary>
/// A /proc and cgroup tree in a temporary directory, made of this machine's real files (Fixtures/proc): the
/// mountinfo of a hybrid host (cgroup2 at /sys/fs/cgroup/unified), and per process the stat line and status of
/// Fixtures/proc with its PIDs and CPU ticks replaced.
/// </summary>
internal sealed class FakeHost : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bench-tool-host-").FullName;

    public FakeHost()
    {
        Write("/proc/self/mountinfo", Fixture.Text("proc/mountinfo.txt"));
    }

    public ProcFs Fs => new(_root);

    public const string Mount = "/sys/fs/cgroup/unified";

    /// <summary>A process in a cgroup (a v2 path), with CPU ticks and RSS (in place of the fixture's).</summary>
    public void Process(int pid, int parent, string cgroup, long userTicks = 0, long systemTicks = 0, long rssKib = 1024)
    {
        // The real line: "25355 (x) (y z) S 10330 ..."; fields 14 and 15 (utime, stime) are 0 in it.
        var fields = Fixture.Text("proc/stat-odd-name.txt").TrimEnd('\n');
        var rest = fields[(fields.LastIndexOf(')') + 2)..].Split(' ');
        rest[1] = parent.ToString(CultureInfo.InvariantCulture);
        rest[11] = userTicks.ToString(CultureInfo.InvariantCulture);
        rest[12] = systemTicks.ToString(CultureInfo.InvariantCulture);
        Write($"/proc/{pid}/stat", $"{pid} (x) (y z) {string.Join(' ', rest)}\n");
        Write($"/proc/{pid}/status", Regex.Replace(Fixture.Text("proc/status.txt"), @"(?m)^VmRSS:.*$", $"VmRSS:\t{rssKib} kB"));
        Write($"/proc/{pid}/cgroup", $"0::{cgroup}\n");
        var procs = $"{Mount}{cgroup}/cgroup.procs";
        var existing = File.Exists(_root + procs) ? File.ReadAllText(_root + procs) : "";
        Write(procs, existing + pid.ToString(CultureInfo.InvariantCulture) + "\n");
    }

    /// <summary>A file of a cgroup (a v2 path): cpu.stat, memory.current, memory.peak.</summary>
    public void CgroupFile(string cgroup, string name, string text) => Write($"{Mount}{cgroup}/{name}", text);

    public void Write(string absolute, string text)
    {
        var path = _root + absolute;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
