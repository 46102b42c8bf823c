using System.Globalization;

namespace SwarmEdge.Admin.Dashboard;

/// <summary>
/// A route's counters at one moment, as /metrics has them: requests, 5xx answers, requests sent again to another
/// task, and the duration histogram's cumulative buckets.
/// </summary>
internal sealed record RouteCounters(long Requests, long Errors, long Retries, long[] Buckets);

/// <summary>A route's traffic between two samples: requests per second, the share of 5xx answers, retries, and the p50 and p99 in seconds.</summary>
internal sealed record RouteTraffic(double RequestsPerSecond, double ErrorRatio, long Retries, double? P50, double? P99);

/// <summary>
/// The dashboard's arithmetic on the Prometheus exposition SwarmEdge already writes (pure): reading it back per
/// route, rates between two readings, and quantiles from histogram buckets as Prometheus's histogram_quantile does.
/// The request path is not touched: the dashboard reads what /metrics would show.
/// </summary>
internal static class TrafficMath
{
    private const string Requests = "swarmedge_requests_total{";
    private const string Bucket = "swarmedge_request_duration_seconds_bucket{";
    private const string Retries = "swarmedge_retries_total{";

    public static Dictionary<string, RouteCounters> Parse(string exposition, IReadOnlyList<double> bounds)
    {
        var routes = new Dictionary<string, (long Requests, long Errors, long Retries, long[] Buckets)>(StringComparer.Ordinal);
        (long Requests, long Errors, long Retries, long[] Buckets) Of(string route) =>
            routes.TryGetValue(route, out var r) ? r : routes[route] = (0, 0, 0, new long[bounds.Count + 1]);

        foreach (var line in exposition.AsSpan().EnumerateLines())
        {
            var isRequests = line.StartsWith(Requests);
            var isRetries = line.StartsWith(Retries);
            if (!isRequests && !isRetries && !line.StartsWith(Bucket))
            {
                continue;
            }

            var close = line.LastIndexOf('}');
            if (close < 0 || !double.TryParse(line[(close + 1)..].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }

            var labels = Labels(line[(isRequests ? Requests.Length : isRetries ? Retries.Length : Bucket.Length)..close]);
            if (!labels.TryGetValue("route", out var route))
            {
                continue;
            }

            var current = Of(route);
            if (isRequests)
            {
                var code = labels.GetValueOrDefault("code", "");
                current = (current.Requests + (long)value, current.Errors + (code.StartsWith('5') ? (long)value : 0), current.Retries, current.Buckets);
            }
            else if (isRetries)
            {
                current = current with { Retries = (long)value };
            }
            else if (labels.TryGetValue("le", out var le))
            {
                var index = le == "+Inf" ? bounds.Count : IndexOf(bounds, le);
                if (index >= 0)
                {
                    current.Buckets[index] = (long)value;
                }
            }

            routes[route] = current;
        }

        return routes.ToDictionary(r => r.Key, r => new RouteCounters(r.Value.Requests, r.Value.Errors, r.Value.Retries, r.Value.Buckets), StringComparer.Ordinal);
    }

    /// <summary>What happened on a route between two readings (a route new in the later one started from zero).</summary>
    public static RouteTraffic Between(RouteCounters? older, RouteCounters newer, TimeSpan elapsed, IReadOnlyList<double> bounds)
    {
        var requests = Math.Max(0, newer.Requests - (older?.Requests ?? 0));
        var errors = Math.Max(0, newer.Errors - (older?.Errors ?? 0));
        var buckets = new long[newer.Buckets.Length];
        for (var i = 0; i < buckets.Length; i++)
        {
            buckets[i] = Math.Max(0, newer.Buckets[i] - (older?.Buckets[i] ?? 0));
        }

        return new RouteTraffic(
            elapsed > TimeSpan.Zero ? requests / elapsed.TotalSeconds : 0,
            requests > 0 ? (double)errors / requests : 0,
            Math.Max(0, newer.Retries - (older?.Retries ?? 0)),
            Quantile(0.5, bounds, buckets),
            Quantile(0.99, bounds, buckets));
    }

    /// <summary>
    /// histogram_quantile: the bucket the q-th observation falls in, interpolated linearly inside it (from 0 for the
    /// first); an observation beyond the last bound is reported as that bound. Null without observations.
    /// </summary>
    public static double? Quantile(double q, IReadOnlyList<double> bounds, long[] cumulative)
    {
        var total = cumulative[^1];
        if (total <= 0)
        {
            return null;
        }

        var rank = q * total;
        for (var i = 0; i < bounds.Count; i++)
        {
            if (cumulative[i] >= rank)
            {
                var lower = i == 0 ? 0 : bounds[i - 1];
                var below = i == 0 ? 0 : cumulative[i - 1];
                var inBucket = cumulative[i] - below;
                return inBucket == 0 ? bounds[i] : lower + ((bounds[i] - lower) * (rank - below) / inBucket);
            }
        }

        return bounds[^1];
    }

    private static int IndexOf(IReadOnlyList<double> bounds, ReadOnlySpan<char> le)
    {
        if (!double.TryParse(le, NumberStyles.Float, CultureInfo.InvariantCulture, out var bound))
        {
            return -1;
        }

        for (var i = 0; i < bounds.Count; i++)
        {
            if (Math.Abs(bounds[i] - bound) <= bound * 1e-9)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>name="value" pairs, with the exposition format's escapes (\\, \", \n) undone.</summary>
    private static Dictionary<string, string> Labels(ReadOnlySpan<char> text)
    {
        var labels = new Dictionary<string, string>(2, StringComparer.Ordinal);
        var i = 0;
        while (i < text.Length)
        {
            var equals = text[i..].IndexOf('=');
            if (equals < 0 || i + equals + 1 >= text.Length || text[i + equals + 1] != '"')
            {
                break;
            }

            var name = text.Slice(i, equals).Trim(',').Trim().ToString();
            var value = new System.Text.StringBuilder();
            var j = i + equals + 2;
            for (; j < text.Length && text[j] != '"'; j++)
            {
                if (text[j] == '\\' && j + 1 < text.Length)
                {
                    j++;
                    value.Append(text[j] == 'n' ? '\n' : text[j]);
                }
                else
                {
                    value.Append(text[j]);
                }
            }

            labels[name] = value.ToString();
            i = j + 1;
            while (i < text.Length && text[i] is ',' or ' ')
            {
                i++;
            }
        }

        return labels;
    }
}
