using System.Globalization;
using SwarmEdge.BenchTool.Reports;

namespace SwarmEdge.BenchTool.Parsing;

/// <summary>
/// What the benchmarks take from one wrk run with --latency: requests, requests/s, the p50 and p99 latencies, non-2xx
/// answers and socket errors. When wrk cannot open its first connection it prints "unable to connect" and no
/// summary: every number is then 0, as a run that served nothing.
/// </summary>
internal sealed record WrkOutput(
    long Requests,
    double RequestsPerSecond,
    double P50Ms,
    double P99Ms,
    long Non2xx,
    long ConnectErrors,
    long ReadErrors,
    long WriteErrors,
    long Timeouts)
{
    public static readonly WrkOutput Empty = new(0, 0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>Non-2xx answers and socket errors together: the throughput run's error count.</summary>
    public long Errors => Non2xx + ConnectErrors + ReadErrors + WriteErrors + Timeouts;

    public static WrkOutput Parse(string text)
    {
        var result = Empty;
        foreach (var line in text.Split('\n'))
        {
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0)
            {
                continue;
            }

            if (line.Contains("requests in", StringComparison.Ordinal))
            {
                result = result with { Requests = Integer(fields[0]) };
            }
            else if (line.StartsWith("Requests/sec:", StringComparison.Ordinal) && fields.Length > 1)
            {
                result = result with { RequestsPerSecond = Number(fields[1]) };
            }
            else if (line.StartsWith(' ') && fields[0] == "50%" && fields.Length > 1)
            {
                result = result with { P50Ms = ToMilliseconds(fields[1]) };
            }
            else if (line.StartsWith(' ') && fields[0] == "99%" && fields.Length > 1)
            {
                result = result with { P99Ms = ToMilliseconds(fields[1]) };
            }
            else if (line.Contains("Non-2xx or 3xx", StringComparison.Ordinal))
            {
                result = result with { Non2xx = Integer(fields[^1]) };
            }
            else if (line.Contains("Socket errors:", StringComparison.Ordinal))
            {
                // "  Socket errors: connect 0, read 6, write 86410, timeout 0"
                var counts = line.Replace(",", "", StringComparison.Ordinal).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                result = result with
                {
                    ConnectErrors = Integer(At(counts, 3)),
                    ReadErrors = Integer(At(counts, 5)),
                    WriteErrors = Integer(At(counts, 7)),
                    Timeouts = Integer(At(counts, 9)),
                };
            }
        }

        return result;
    }

    /// <summary>
    /// A latency as wrk prints it, in milliseconds. wrk's units.c writes microseconds, milliseconds and seconds with
    /// their unit (us, ms, s) and, from 60 s on, minutes (m); it has no larger unit.
    /// </summary>
    public static double ToMilliseconds(string value)
    {
        if (value.EndsWith("us", StringComparison.Ordinal))
        {
            return Number(value[..^2]) / 1000;
        }

        if (value.EndsWith("ms", StringComparison.Ordinal))
        {
            return Number(value[..^2]);
        }

        if (value.EndsWith('s'))
        {
            return Number(value[..^1]) * 1000;
        }

        if (value.EndsWith('m'))
        {
            return Number(value[..^1]) * 60000;
        }

        return Number(value);
    }

    /// <summary>The line run.sh reads: requests rps p50_ms p99_ms non2xx connect read write timeout.</summary>
    public string ToLine() =>
        string.Join(' ', Requests.ToString(CultureInfo.InvariantCulture), CFormat.Fixed(RequestsPerSecond, 2),
            CFormat.Fixed(P50Ms, 3), CFormat.Fixed(P99Ms, 3), Non2xx.ToString(CultureInfo.InvariantCulture),
            ConnectErrors.ToString(CultureInfo.InvariantCulture), ReadErrors.ToString(CultureInfo.InvariantCulture),
            WriteErrors.ToString(CultureInfo.InvariantCulture), Timeouts.ToString(CultureInfo.InvariantCulture));

    private static string At(string[] fields, int index) => index < fields.Length ? fields[index] : "0";

    private static long Integer(string text) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;

    private static double Number(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : 0;
}
