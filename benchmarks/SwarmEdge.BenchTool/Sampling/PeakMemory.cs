using System.Globalization;

namespace SwarmEdge.BenchTool.Sampling;

/// <summary>The highest memory a process tree held while it was watched (KiB), as the watcher's peak file holds it.</summary>
internal sealed record PeakMemory(long Kib, SampleSource Source)
{
    public string ToLine() => string.Create(CultureInfo.InvariantCulture, $"{Kib} {Source.ToString().ToLowerInvariant()}");

    public static PeakMemory? Parse(string line)
    {
        var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 2
            || !long.TryParse(fields[0], CultureInfo.InvariantCulture, out var kib)
            || !Enum.TryParse<SampleSource>(fields[1], ignoreCase: true, out var source))
        {
            return null;
        }

        return new PeakMemory(kib, source);
    }
}
