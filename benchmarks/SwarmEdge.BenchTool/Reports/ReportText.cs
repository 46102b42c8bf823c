using System.Globalization;
using System.Text;

namespace SwarmEdge.BenchTool.Reports;

/// <summary>Lines the results files share: the date, the run line of https.md and slow-clients.md, the command list.</summary>
internal static class ReportText
{
    public static string Date(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>A results file's first line after its title: the command, when, and on what machine.</summary>
    public static string RunLine(string arguments, DateTimeOffset madeAt, MachineInfo machine, RunSettings settings) =>
        $"`benchmarks/run.sh {arguments}`, {Date(madeAt)}, {machine.CpuModel}, {settings.Cores} cores.";

    /// <summary>The load commands of the run, so that anyone can rerun them.</summary>
    public static string Commands(RunSettings settings)
    {
        var text = new StringBuilder("\nCommands:\n\n");
        foreach (var command in settings.LoadCommands)
        {
            text.Append("    ").Append(command).Append('\n');
        }

        return text.ToString();
    }
}
