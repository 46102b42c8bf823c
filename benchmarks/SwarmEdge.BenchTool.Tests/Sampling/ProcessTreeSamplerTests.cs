using System.Diagnostics;
using System.Globalization;
using SwarmEdge.BenchTool.Sampling;

namespace SwarmEdge.BenchTool.Tests.Sampling;

[Collection(LiveProcesses.Name)]
public class ProcessTreeSamplerTests
{
    private const long UserHz = 100;

    [Fact]
    public void A_tree_sharing_its_cgroup_with_other_processes_is_summed_from_proc()
    {
        using var host = new FakeHost();
        host.Process(100, parent: 1, cgroup: "/session", userTicks: 250, systemTicks: 40, rssKib: 1000);
        host.Process(101, parent: 100, cgroup: "/session", userTicks: 50, systemTicks: 10, rssKib: 300);
        host.Process(200, parent: 1, cgroup: "/session", userTicks: 999, systemTicks: 999, rssKib: 999);
        host.CgroupFile("/session", "cpu.stat", Fixture.Text("proc/cpu.stat.txt"));
        var sampler = new ProcessTreeSampler(host.Fs, UserHz);

        Assert.Equal(new CpuSample(3_000_000, 500_000, SampleSource.Proc), sampler.Cpu(100));
        Assert.Equal(new MemorySample(1300, null, SampleSource.Proc), sampler.Memory(100));
    }

    [Fact]
    public void A_tree_alone_in_its_cgroup_is_read_from_cpu_stat_and_memory_peak()
    {
        using var host = new FakeHost();
        host.Process(100, parent: 1, cgroup: "/docker/abc", userTicks: 250, systemTicks: 40);
        host.Process(101, parent: 100, cgroup: "/docker/abc");
        host.CgroupFile("/docker/abc", "cpu.stat", Fixture.Text("proc/cpu.stat.txt"));
        host.CgroupFile("/docker/abc", "memory.current", "52428800\n");
        host.CgroupFile("/docker/abc", "memory.peak", "73400320\n");
        var sampler = new ProcessTreeSampler(host.Fs, UserHz);

        // cpu.stat of Fixtures/proc: user_usec 28287, system_usec 28287.
        Assert.Equal(new CpuSample(28287, 28287, SampleSource.Cgroup), sampler.Cpu(100));
        Assert.Equal(new MemorySample(51200, 71680, SampleSource.Cgroup), sampler.Memory(100));
    }

    [Fact]
    public void Without_the_memory_controller_the_cgroup_gives_cpu_and_proc_gives_memory()
    {
        // As on this hybrid host: cgroup v2 has cpu.stat, memory is accounted by cgroup v1.
        using var host = new FakeHost();
        host.Process(100, parent: 1, cgroup: "/docker/abc", rssKib: 2048);
        host.CgroupFile("/docker/abc", "cpu.stat", Fixture.Text("proc/cpu.stat.txt"));
        var sampler = new ProcessTreeSampler(host.Fs, UserHz);

        Assert.Equal(SampleSource.Cgroup, sampler.Cpu(100)!.Source);
        Assert.Equal(new MemorySample(2048, null, SampleSource.Proc), sampler.Memory(100));
    }

    [Fact]
    public void A_cgroup_that_misses_a_process_of_the_tree_is_not_used()
    {
        using var host = new FakeHost();
        host.Process(100, parent: 1, cgroup: "/docker/abc", userTicks: 10);
        host.Process(101, parent: 100, cgroup: "/elsewhere", userTicks: 5);
        host.CgroupFile("/docker/abc", "cpu.stat", Fixture.Text("proc/cpu.stat.txt"));
        var sampler = new ProcessTreeSampler(host.Fs, UserHz);

        Assert.Equal(new CpuSample(150_000, 0, SampleSource.Proc), sampler.Cpu(100));
    }

    [Fact]
    public void An_ended_process_gives_no_sample()
    {
        using var host = new FakeHost();
        var sampler = new ProcessTreeSampler(host.Fs, UserHz);

        Assert.Null(sampler.Cpu(100));
        Assert.Null(sampler.Memory(100));
    }

    [Fact]
    public void The_test_process_is_sampled_from_the_real_proc_with_its_children()
    {
        using var child = Process.Start(new ProcessStartInfo("sleep", ["30"]))!;
        try
        {
            var sampler = ProcessTreeSampler.Host();
            var tree = sampler.Tree(Environment.ProcessId);
            var memory = sampler.Memory(Environment.ProcessId)!;

            Assert.Contains(Environment.ProcessId, tree);
            Assert.Contains(child.Id, tree);
            // The test host shares its cgroup with the dotnet process that started it: /proc it is.
            Assert.Equal(SampleSource.Proc, memory.Source);
            var statm = StatmRssKib(tree);
            Assert.InRange(memory.CurrentKib, statm * 0.85, statm * 1.15);
        }
        finally
        {
            child.Kill();
            child.WaitForExit();
        }
    }

    [Fact]
    public void The_test_process_cpu_time_grows_by_what_it_spends()
    {
        var sampler = ProcessTreeSampler.Host();
        var me = System.Diagnostics.Process.GetCurrentProcess();
        var before = sampler.Cpu(Environment.ProcessId)!;
        me.Refresh();
        var spentBefore = me.TotalProcessorTime;
        var spin = Stopwatch.StartNew();
        while (true)
        {
            me.Refresh();
            if (me.TotalProcessorTime - spentBefore >= TimeSpan.FromMilliseconds(300) || spin.Elapsed > TimeSpan.FromSeconds(30))
            {
                break;
            }
        }

        var spent = (me.TotalProcessorTime - spentBefore).TotalMicroseconds;
        var after = sampler.Cpu(Environment.ProcessId)!;
        var sampled = after.UserUs + after.SystemUs - before.UserUs - before.SystemUs;

        Assert.Equal(SampleSource.Proc, after.Source);
        // Ticks are 10 ms; the sampler's own reading of /proc adds a little after the spin.
        Assert.InRange(sampled, spent - 50_000, spent + 200_000);
    }

    /// <summary>The tree's RSS from another file of the kernel: /proc/PID/statm, resident pages in its second field.</summary>
    private static long StatmRssKib(IEnumerable<int> pids) =>
        pids.Sum(pid => File.Exists($"/proc/{pid}/statm")
            ? long.Parse(File.ReadAllText($"/proc/{pid}/statm").Split(' ')[1], CultureInfo.InvariantCulture) * Environment.SystemPageSize / 1024
            : 0);
}
