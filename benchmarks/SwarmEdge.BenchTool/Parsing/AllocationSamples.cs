using System.Globalization;

namespace SwarmEdge.BenchTool.Parsing;

/// <summary>
/// What a .NET proxy allocated during a measured run: the total from dotnet-counters (the runtime's
/// dotnet.gc.heap.total_allocated, bytes per second, summed over the run) and, by type, the runtime's allocation
/// ticks from dotnet-trace (one event about every 100 KB, naming the type of the object that crossed the mark: a
/// sample, so a type's share is read as an estimate).
/// </summary>
internal static class AllocationSamples
{
    private const string TotalAllocated = "dotnet.gc.heap.total_allocated";

    /// <summary>The bytes allocated over the rows of a `dotnet-counters collect --format csv` file.</summary>
    public static long AllocatedBytes(string countersCsv)
    {
        long total = 0;
        foreach (var line in countersCsv.Split('\n'))
        {
            // Timestamp,Provider,Counter Name,Counter Type,Mean/Increment; the counter name has no comma.
            var fields = line.TrimEnd('\r').Split(',');
            if (fields.Length == 5 && fields[2].StartsWith(TotalAllocated, StringComparison.Ordinal)
                && double.TryParse(fields[4], NumberStyles.Float, CultureInfo.InvariantCulture, out var bytes))
            {
                total += (long)bytes;
            }
        }

        return total;
    }

    /// <summary>
    /// The types that took the largest shares of the sampled bytes, each with its estimate in bytes per request
    /// (its share of the counted total).
    /// </summary>
    public static IReadOnlyList<TypeShare> ByType(IEnumerable<(string Type, long Bytes)> ticks, double bytesPerRequest, int top)
    {
        var byType = new Dictionary<string, long>(StringComparer.Ordinal);
        long sampled = 0;
        foreach (var (type, bytes) in ticks)
        {
            byType[type] = byType.GetValueOrDefault(type) + bytes;
            sampled += bytes;
        }

        return sampled == 0
            ? []
            : [.. byType.OrderByDescending(t => t.Value).ThenBy(t => t.Key, StringComparer.Ordinal).Take(top)
                .Select(t => new TypeShare(t.Key, (double)t.Value / sampled, bytesPerRequest * t.Value / sampled))];
    }

    internal sealed record TypeShare(string Type, double Share, double BytesPerRequest)
    {
        public string ToLine() => string.Create(CultureInfo.InvariantCulture, $"{Share * 100,6:F2} % {BytesPerRequest,7:F0} B  {Type}");
    }
}
