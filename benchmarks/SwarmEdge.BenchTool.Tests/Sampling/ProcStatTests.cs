using System.Diagnostics;
using SwarmEdge.BenchTool.Sampling;

namespace SwarmEdge.BenchTool.Tests.Sampling;

[Collection(LiveProcesses.Name)]
public class ProcStatTests
{
    [Fact]
    public void A_command_name_with_spaces_and_parentheses_does_not_shift_the_fields()
    {
        // A shell that renamed itself "x) (y z" (Fixtures/make-fixtures.sh), child of the script's shell 10330.
        var stat = ProcStat.Parse(Fixture.Text("proc/stat-odd-name.txt").TrimEnd('\n'));

        Assert.Equal(new ProcStat(25355, "x) (y z", 10330, 0, 0), stat);
    }

    [Fact]
    public void The_ticks_are_fields_14_and_15_of_the_line()
    {
        var fields = Enumerable.Range(3, 50).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        fields[0] = "R";
        var stat = ProcStat.Parse($"42 (a) b) {string.Join(' ', fields)}");

        Assert.Equal(new ProcStat(42, "a) b", 4, 14, 15), stat);
    }

    [Fact]
    public void A_live_process_named_with_parentheses_is_read_with_its_parent_and_cpu_time()
    {
        // The shell renames itself, burns some CPU, then waits; its stat line is read while it waits.
        using var named = Process.Start(new ProcessStartInfo("sh", ["-c", "printf '%s' 'w) (v u' >/proc/$$/comm; i=0; while [ $i -lt 50000 ]; do i=$((i+1)); done; echo ready; sleep 10"])
        {
            RedirectStandardOutput = true,
        })!;
        try
        {
            Assert.Equal("ready", named.StandardOutput.ReadLine());
            var stat = ProcStat.Parse(File.ReadAllText($"/proc/{named.Id}/stat"));

            Assert.NotNull(stat);
            Assert.Equal((named.Id, "w) (v u", Environment.ProcessId), (stat.Pid, stat.Command, stat.ParentPid));
            Assert.True(stat.UserTicks + stat.SystemTicks > 0, $"user {stat.UserTicks}, system {stat.SystemTicks} ticks");
        }
        finally
        {
            named.Kill(entireProcessTree: true);
            named.WaitForExit();
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("12 (no closing parenthesis S 1")]
    [InlineData("12 (short) S 1 2 3")]
    public void A_line_that_is_not_a_stat_line_gives_none(string line)
    {
        Assert.Null(ProcStat.Parse(line));
    }

    [Fact]
    public void The_resident_set_size_is_read_from_status_in_KiB()
    {
        Assert.Equal(3680, ProcStatus.RssKib(Fixture.Text("proc/status.txt")));
        Assert.Equal(0, ProcStatus.RssKib("Name:\tkthreadd\nState:\tS (sleeping)\n"));
    }
}
