using System.Collections.Concurrent;
using System.Diagnostics;
using Prometheus;
using SwarmEdge.Admin;
using Yarp.ReverseProxy.Model;

namespace SwarmEdge.Proxy;

/// <summary>
/// Counts every proxied request by route and status code, observes its duration and counts the ones in flight.
/// Label children are cached, so the hot path does two dictionary lookups and no allocation.
/// </summary>
internal sealed class RequestMetricsMiddleware(RequestDelegate next)
{
    private const string NoRoute = "none";

    private readonly ConcurrentDictionary<(string Route, int Code), Counter.Child> _counters = new();
    private readonly ConcurrentDictionary<string, Histogram.Child> _durations = new(StringComparer.Ordinal);

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        SwarmEdgeMetrics.RequestsInFlight.Inc();
        try
        {
            await next(context);
        }
        finally
        {
            SwarmEdgeMetrics.RequestsInFlight.Dec();
            var route = context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>()?.Config.RouteId ?? NoRoute;
            var code = context.Response.StatusCode;
            _counters.GetOrAdd((route, code), static key => SwarmEdgeMetrics.Requests.WithLabels(key.Route, key.Code.ToString())).Inc();
            _durations.GetOrAdd(route, static r => SwarmEdgeMetrics.RequestDuration.WithLabels(r))
                .Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }
}
