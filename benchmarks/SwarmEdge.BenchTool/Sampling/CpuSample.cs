using System.Globalization;

namespace SwarmEdge.BenchTool.Sampling;

/// <summary>
/// CPU time a process tree has used so far, user and system, in microseconds. Two samples bracket a measured run;
/// they are comparable only when both came from the same source.
/// </summary>
internal sealed record CpuSample(long UserUs, long SystemUs, SampleSource Source)
{
    /// <summary>The line `bench-tool cpu PID` prints: user_us system_us source.</summary>
    public string ToLine() => string.Create(CultureInfo.InvariantCulture, $"{UserUs} {SystemUs} {Source.ToString().ToLowerInvariant()}");

    public static CpuSample? Parse(string line)
    {
        var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 3
            || !long.TryParse(fields[0], CultureInfo.InvariantCulture, out var user)
            || !long.TryParse(fields[1], CultureInfo.InvariantCulture, out var system)
            || !Enum.TryParse<SampleSource>(fields[2], ignoreCase: true, out var source))
        {
            return null;
        }

        return new CpuSample(user, system, source);
    }
}
