using System.Globalization;

namespace SwarmEdge.BenchTool.Sampling;

/// <summary>The resident set size from /proc/PID/status ("VmRSS:  1234 kB"); kernel threads and zombies have none.</summary>
internal static class ProcStatus
{
    public static long RssKib(string status)
    {
        foreach (var line in status.Split('\n'))
        {
            if (!line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                continue;
            }

            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return fields.Length > 1 && long.TryParse(fields[1], CultureInfo.InvariantCulture, out var kib) ? kib : 0;
        }

        return 0;
    }
}
