using System.Diagnostics;
using SwarmEdge.BenchTool.Reports;
using SwarmEdge.BenchTool.Sampling;
using SwarmEdge.BenchTool.Tests.Sampling;

namespace SwarmEdge.BenchTool.Tests.Reports;

[Collection(LiveProcesses.Name)]
public class MachineInfoTests
{
    [Fact]
    public void The_machine_is_described_as_lscpu_and_uname_describe_it()
    {
        var machine = MachineInfo.Read(ProcFs.Host);

        Assert.Equal(Run("sh", "-c", "lscpu | sed -n 's/^Model name: *//p' | head -1"), machine.CpuModel);
        Assert.Equal(Run("uname", "-r"), machine.Kernel);
        Assert.True(machine.MemTotalKib > 0);
    }

    private static string Run(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true })!;
        var output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return output;
    }
}
