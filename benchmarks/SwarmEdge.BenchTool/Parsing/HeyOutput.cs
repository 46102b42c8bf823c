using System.Globalization;
using System.Text.RegularExpressions;

namespace SwarmEdge.BenchTool.Parsing;

/// <summary>
/// What the failure scenarios take from hey's summary.
/// Requests: every request hey finished (answered, failed or timed out). hey prints no count, only Requests/sec
/// and Total, with Requests/sec = count / Total; the count of its distributions is used unless Requests/sec x Total
/// is clearly larger, because hey 0.1.4 stops filling its status code distribution at 1,000,000 answers: the answers
/// past that are Unclassified, counted in Requests and not as failed.
/// Failed: hey's error distribution (timeouts, refused or reset connections, ...) plus non-2xx answers.
/// </summary>
internal sealed partial record HeyOutput(long Requests, long Failed, long Unclassified, double? P99Seconds)
{
    /// <summary>The summary in hey's output, or null when it printed none (it failed to start, or was killed).</summary>
    public static HeyOutput? Parse(string text)
    {
        var summary = false;
        double seconds = 0, perSecond = 0;
        double? p99 = null;
        long counted = 0, failed = 0;
        var section = Section.None;
        foreach (var line in text.Split('\n'))
        {
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (line.StartsWith("Summary:", StringComparison.Ordinal))
            {
                summary = true;
            }
            else if (line.StartsWith(' ') && fields.Length > 1 && fields[0] == "Total:")
            {
                seconds = Number(fields[1]);
            }
            else if (line.StartsWith(' ') && fields.Length > 1 && fields[0] == "Requests/sec:")
            {
                perSecond = Number(fields[1]);
            }
            else if (line.StartsWith(' ') && fields.Length > 2 && fields[0] == "99%" && fields[1] == "in")
            {
                p99 = Number(fields[2]);
            }

            if (line.StartsWith("Status code distribution:", StringComparison.Ordinal))
            {
                section = Section.Status;
                continue;
            }

            if (line.StartsWith("Error distribution:", StringComparison.Ordinal))
            {
                section = Section.Errors;
                continue;
            }

            var bracket = section == Section.None ? Match.Empty : Bracketed().Match(line);
            if (!bracket.Success)
            {
                continue;
            }

            var value = long.Parse(bracket.Groups[1].ValueSpan, CultureInfo.InvariantCulture);
            if (section == Section.Status)
            {
                // "  [200]	2056 responses"
                var rest = line[(bracket.Index + bracket.Length)..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                var responses = rest.Length > 0 && long.TryParse(rest[0], CultureInfo.InvariantCulture, out var n) ? n : 0;
                counted += responses;
                if (value is < 200 or > 299)
                {
                    failed += responses;
                }
            }
            else
            {
                // "  [8]	Get "http://...": context deadline exceeded (...)"
                counted += value;
                failed += value;
            }
        }

        if (!summary)
        {
            return null;
        }

        var (requests, unclassified) = Count(perSecond, seconds, counted);
        return new HeyOutput(requests, failed, unclassified, p99);
    }

    /// <summary>
    /// The number of requests hey finished, from its Requests/sec and Total (both printed to 4 decimals, so their
    /// product is off by a few at most) and the requests its distributions counted: the distributions' count unless
    /// the product exceeds it by more than that rounding can explain, in which case the difference is answers hey gave
    /// no status code for.
    /// </summary>
    public static (long Requests, long Unclassified) Count(double requestsPerSecond, double totalSeconds, long counted)
    {
        var fromRate = (long)Math.Truncate(requestsPerSecond * totalSeconds + 0.5);
        var slack = (long)Math.Truncate(requestsPerSecond / 10000) + 2;
        return fromRate > counted + slack ? (fromRate, fromRate - counted) : (counted, 0);
    }

    /// <summary>The line run.sh reads: requests failed unclassified.</summary>
    public string ToLine() => string.Create(CultureInfo.InvariantCulture, $"{Requests} {Failed} {Unclassified}");

    private static double Number(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : 0;

    [GeneratedRegex(@"\[([0-9]+)\]")]
    private static partial Regex Bracketed();

    private enum Section
    {
        None,
        Status,
        Errors,
    }
}
