using Prometheus;

namespace SwarmEdge.Admin.Dashboard;

/// <summary>
/// The last minutes of every route's counters, read from SwarmEdge's own Prometheus registry every Interval (as a
/// scrape would), for the dashboard's rates and quantiles. Nothing is added to the request path; a reading costs
/// one export of the registry, off it. Only the routes served now are kept (the registry keeps every route that
/// ever answered a request, and stacks come and go).
/// </summary>
internal sealed class TrafficHistory(EdgeStatus status, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    /// <summary>How far back the dashboard looks: 60 readings.</summary>
    public static readonly TimeSpan Kept = TimeSpan.FromMinutes(5);

    private readonly Lock _lock = new();
    private readonly LinkedList<(DateTimeOffset At, Dictionary<string, RouteCounters> Routes)> _samples = new();

    /// <summary>Readings oldest first.</summary>
    public IReadOnlyList<(DateTimeOffset At, Dictionary<string, RouteCounters> Routes)> Samples()
    {
        lock (_lock)
        {
            return [.. _samples];
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            await SampleAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    internal async Task SampleAsync(CancellationToken ct)
    {
        using var text = new MemoryStream();
        await Metrics.DefaultRegistry.CollectAndExportAsTextAsync(text, ct);
        var routes = TrafficMath.Parse(System.Text.Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length), SwarmEdgeMetrics.DurationBuckets);
        var served = status.Current.Catalog.Services
            .SelectMany(s => s.Routes.Select(r => Proxy.ProxyConfigBuilder.RouteId(s.Name, r.Name)))
            .ToHashSet(StringComparer.Ordinal);
        foreach (var route in routes.Keys.Where(r => !served.Contains(r)).ToList())
        {
            routes.Remove(route);
        }
        var now = time.GetUtcNow();
        lock (_lock)
        {
            _samples.AddLast((now, routes));
            while (_samples.First is { } first && now - first.Value.At > Kept)
            {
                _samples.RemoveFirst();
            }
        }
    }
}
