using System.Globalization;

namespace SwarmEdge.BenchTool.Sampling;

/// <summary>
/// The fields of one /proc/PID/stat line the sampler needs: parent PID and CPU time (clock ticks, user and system).
/// The command name sits in parentheses and may itself hold spaces and parentheses, so the numbered fields are
/// counted from the last ')'.
/// </summary>
internal sealed record ProcStat(int Pid, string Command, int ParentPid, long UserTicks, long SystemTicks)
{
    public static ProcStat? Parse(string line)
    {
        var open = line.IndexOf('(', StringComparison.Ordinal);
        var close = line.LastIndexOf(')');
        if (open < 1 || close < open || close + 2 > line.Length)
        {
            return null;
        }

        // After the name: state (field 3), ppid (4), ..., utime (14), stime (15).
        var fields = line[(close + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 13
            || !int.TryParse(line.AsSpan(0, open).Trim(), CultureInfo.InvariantCulture, out var pid)
            || !int.TryParse(fields[1], CultureInfo.InvariantCulture, out var parent)
            || !long.TryParse(fields[11], CultureInfo.InvariantCulture, out var user)
            || !long.TryParse(fields[12], CultureInfo.InvariantCulture, out var system))
        {
            return null;
        }

        return new ProcStat(pid, line[(open + 1)..close], parent, user, system);
    }
}
