using SwarmEdge.BenchTool.Sampling;

namespace SwarmEdge.BenchTool.Tests.Sampling;

public class CgroupV2Tests
{
    [Fact]
    public void The_cgroup2_mount_is_found_among_the_v1_mounts_of_a_hybrid_host()
    {
        Assert.Equal(("/sys/fs/cgroup/unified", "/"), CgroupV2.Cgroup2Mount(Fixture.Text("proc/mountinfo.txt")));
    }

    [Fact]
    public void A_mount_point_with_escaped_spaces_and_optional_fields_is_read_whole()
    {
        var line = "30 23 0:26 /sub /mnt/cgroup\\040two rw,nosuid shared:9 master:1 - cgroup2 cgroup2 rw,nsdelegate\n";

        Assert.Equal(("/mnt/cgroup two", "/sub"), CgroupV2.Cgroup2Mount(line));
        Assert.Null(CgroupV2.Cgroup2Mount("32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"));
    }

    [Fact]
    public void The_v2_path_is_the_0_line_of_proc_PID_cgroup()
    {
        Assert.Equal("/docker/54dceb99a5b79085d1e885757ba9d57bc2bf6ab6c0d0a73d3d4e643a970dad70", CgroupV2.UnifiedPath(Fixture.Text("proc/cgroup.txt")));
        Assert.Null(CgroupV2.UnifiedPath("4:memory:/user.slice\n"));
    }

    [Fact]
    public void User_and_system_time_are_read_from_cpu_stat()
    {
        Assert.Equal((28287L, 28287L), CgroupV2.ParseCpuStat(Fixture.Text("proc/cpu.stat.txt")));
        Assert.Null(CgroupV2.ParseCpuStat("usage_usec 10\n"));
    }

    [Fact]
    public void A_process_in_a_container_maps_to_its_cgroup_below_the_v2_mount()
    {
        using var host = new FakeHost();
        host.Process(7, parent: 1, cgroup: "/docker/abc");

        Assert.Equal("/sys/fs/cgroup/unified/docker/abc", new CgroupV2(host.Fs).DirectoryOf(7));
    }

    [Fact]
    public void The_processes_of_a_cgroup_include_those_of_the_cgroups_below_it()
    {
        using var host = new FakeHost();
        host.Process(7, parent: 1, cgroup: "/docker/abc");
        host.Process(8, parent: 7, cgroup: "/docker/abc/worker");

        Assert.Equal([7, 8], new CgroupV2(host.Fs).Processes("/sys/fs/cgroup/unified/docker/abc").Order());
    }
}
