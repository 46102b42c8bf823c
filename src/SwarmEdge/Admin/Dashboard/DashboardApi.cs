using System.Collections.Immutable;
using SwarmEdge.Catalog;
using SwarmEdge.Discovery;
using SwarmEdge.Proxy;

namespace SwarmEdge.Admin.Dashboard;

/// <summary>
/// The dashboard's JSON documents, built from what SwarmEdge already knows (pure): the published status, the
/// proxy's view of each endpoint's health, the traffic readings, the event log and the nodes' reachability.
/// Lists are filtered and paged here, so a page shows 50 of 500 services and sends no more.
/// </summary>
internal static class DashboardApi
{
    public const int MaxPageSize = 200;
    private static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan QuantileWindow = TimeSpan.FromMinutes(1);

    /// <summary>An error answer: {"error": "..."}.</summary>
    internal sealed record ErrorDocument(string Error);

    /// <summary>The proxy's health of one endpoint: YARP's active and passive states, and the requests it holds now.</summary>
    internal sealed record EndpointHealth(string Active, string Passive, int InFlight);

    internal sealed record SummaryDocument(
        bool Ready, string? DockerEndpoint, string? DockerError, DateTimeOffset? LastReadAt, EdgeStatus.RoutesFileStatus? RoutesFile,
        int Services, int Routed, int WithErrors, int WithoutEndpoints, int Endpoints, double RequestsPerSecond, double ErrorRatio,
        IReadOnlyList<NamedError> DnsErrors, IReadOnlyList<NodeDocument> Nodes);

    internal sealed record NamedError(string Name, string Error);

    internal sealed record NodeDocument(string Id, string Hostname, string Address, bool Up, bool? Reachable, DateTimeOffset? ReachableSince, int TasksAsked, int Endpoints);

    internal sealed record ServicePage(int Total, int Page, int Size, IReadOnlyList<ServiceRow> Items);

    internal sealed record ServiceRow(
        string Name, string State, int Endpoints, IReadOnlyList<string> Hosts, int Errors, int Warnings, double RequestsPerSecond, double ErrorRatio, double? P99);

    internal sealed record ServiceDocument(
        string Id, string Name, string State, string? Network, IReadOnlyList<RouteRow> Routes, IReadOnlyList<EndpointRow> Endpoints,
        IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings, string? DnsError, IReadOnlyList<SwarmEventEntry> Events);

    internal sealed record RouteRow(string Id, IReadOnlyList<string> Hosts, string? Path, bool ExactPath, IReadOnlyList<string> Methods, int? Priority, int Port, IReadOnlyList<string> Middlewares);

    internal sealed record EndpointRow(string Task, string Node, string Address, bool DnsSeen, string Active, string Passive, int InFlight);

    internal sealed record TasksDocument(string Service, int FailedLastHour, IReadOnlyList<TaskRow> Tasks);

    internal sealed record TaskRow(string Id, int? Slot, string Node, string DesiredState, string State, DateTimeOffset? Since, string? Ending, string? Error, long? ExitCode, bool OomKilled, bool Failed);

    internal sealed record TrafficDocument(DateTimeOffset? At, int IntervalSeconds, int Total, IReadOnlyList<TrafficRow> Routes);

    internal sealed record TrafficRow(string Route, double RequestsPerSecond, double ErrorRatio, long Retries, double? P50, double? P99, IReadOnlyList<double> Series);

    public static SummaryDocument Summary(
        EdgeStatus.View view, IReadOnlyList<(DateTimeOffset At, Dictionary<string, RouteCounters> Routes)> samples, IReadOnlyList<NodeReach> reach)
    {
        var services = view.Catalog.Services;
        var (rps, errors) = Totals(samples);
        return new SummaryDocument(
            view.Ready, view.DockerEndpoint, view.DockerError, view.LastReadAt, view.RoutesFile,
            services.Length, services.Count(s => s.IsRouted), services.Count(s => !s.Errors.IsEmpty),
            services.Count(s => s.IsRouted && s.Endpoints.IsEmpty), services.Sum(s => s.Endpoints.Length), rps, errors,
            [.. view.DnsErrors.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => new NamedError(e.Key, e.Value))],
            Nodes(view, reach));
    }

    public static IReadOnlyList<NodeDocument> Nodes(EdgeStatus.View view, IReadOnlyList<NodeReach> reach)
    {
        var endpoints = view.Catalog.Services.SelectMany(s => s.Endpoints).GroupBy(e => e.NodeId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
        return [.. (view.Nodes ?? ImmutableDictionary<string, SwarmNode>.Empty).Values
            .OrderBy(n => n.Hostname, StringComparer.Ordinal)
            .Select(n =>
            {
                var r = reach.FirstOrDefault(x => x.NodeId == n.Id);
                return new NodeDocument(n.Id, n.Hostname, n.Address, n.Reachable, r?.Reachable, r?.Since, r?.TasksAsked ?? 0, endpoints.GetValueOrDefault(n.Id));
            })];
    }

    /// <summary>Services whose name or a host contains the filter (ignoring case); those with errors first, then by name.</summary>
    public static ServicePage Services(
        EdgeStatus.View view, IReadOnlyList<(DateTimeOffset At, Dictionary<string, RouteCounters> Routes)> samples, string? filter, int page, int size)
    {
        size = Math.Clamp(size, 1, MaxPageSize);
        var traffic = RouteTrafficOver(samples, QuantileWindow);
        var matching = view.Catalog.Services
            .Where(s => string.IsNullOrWhiteSpace(filter)
                        || s.Name.Contains(filter.Trim(), StringComparison.OrdinalIgnoreCase)
                        || s.Routes.Any(r => r.Hosts.Any(h => h.Contains(filter.Trim(), StringComparison.OrdinalIgnoreCase))))
            .OrderBy(s => s.Errors.IsEmpty)
            .ThenBy(s => s.Name, StringComparer.Ordinal)
            .ToList();
        var pages = Math.Max(1, (matching.Count + size - 1) / size);
        page = Math.Clamp(page, 1, pages);
        var items = matching.Skip((page - 1) * size).Take(size).Select(s =>
        {
            var routes = s.Routes.Select(r => ProxyConfigBuilder.RouteId(s.Name, r.Name)).Select(id => traffic.GetValueOrDefault(id)).OfType<RouteTraffic>().ToList();
            var requests = routes.Sum(r => r.RequestsPerSecond);
            return new ServiceRow(
                s.Name, StateOf(s), s.Endpoints.Length, [.. s.Routes.SelectMany(r => r.Hosts).Distinct()], s.Errors.Length, s.Warnings.Length,
                requests, requests > 0 ? routes.Sum(r => r.RequestsPerSecond * r.ErrorRatio) / requests : 0, routes.Select(r => r.P99).Max());
        }).ToList();
        return new ServicePage(matching.Count, page, size, items);
    }

    public static ServiceDocument? Service(EdgeStatus.View view, string name, Func<CatalogService, TaskEndpoint, EndpointHealth> health, IReadOnlyList<SwarmEventEntry> events)
    {
        if (view.Catalog.Services.FirstOrDefault(s => s.Name == name) is not { } service)
        {
            return null;
        }

        var nodes = view.Nodes ?? ImmutableDictionary<string, SwarmNode>.Empty;
        return new ServiceDocument(
            service.Id, service.Name, StateOf(service), service.NetworkId,
            [.. service.Routes.Select(r => new RouteRow(ProxyConfigBuilder.RouteId(service.Name, r.Name), r.Hosts, r.PathPrefix, r.ExactPath, r.Methods,
                r.Priority, service.Routing!.PortOf(r), [.. r.MiddlewareNames]))],
            [.. service.Endpoints.Select(e =>
            {
                var h = health(service, e);
                var node = e.NodeId.Length == 0 ? "" : nodes.TryGetValue(e.NodeId, out var n) ? n.Hostname : e.NodeId;
                return new EndpointRow(e.TaskId, node, $"{e.Address}:{e.Port}", service.ConfirmedTaskIds.Contains(e.TaskId), h.Active, h.Passive, h.InFlight);
            })],
            service.Errors.AddRange(view.ApplyErrors.GetValueOrDefault(service.Name, [])), service.Warnings,
            view.DnsErrors.GetValueOrDefault(service.Name),
            [.. events.Where(e => e.Service == service.Name).Reverse().Take(50)]);
    }

    public static TasksDocument Tasks(string service, IReadOnlyList<TaskRecord> tasks, IReadOnlyDictionary<string, SwarmNode>? nodes, DateTimeOffset now) => new(
        service,
        tasks.Count(t => t.Failed && t.Since is { } at && now - at <= TimeSpan.FromHours(1)),
        [.. tasks.Take(50).Select(t => new TaskRow(
            t.Id, t.Slot, nodes is not null && nodes.TryGetValue(t.NodeId, out var n) ? n.Hostname : t.NodeId, t.DesiredState, t.State, t.Since,
            t.Ending, t.Error, t.ExitCode, t.OomKilled, t.Failed))]);

    /// <summary>Routes by requests per second over the last readings, each with a series of its rate per reading.</summary>
    public static TrafficDocument Traffic(IReadOnlyList<(DateTimeOffset At, Dictionary<string, RouteCounters> Routes)> samples, string? filter, int size)
    {
        size = Math.Clamp(size, 1, MaxPageSize);
        if (samples.Count < 2)
        {
            return new TrafficDocument(samples.LastOrDefault().At, (int)TrafficHistory.Interval.TotalSeconds, 0, []);
        }

        var now = RouteTrafficOver(samples, RateWindow);
        var minute = RouteTrafficOver(samples, QuantileWindow);
        var rows = samples[^1].Routes.Keys
            .Where(r => string.IsNullOrWhiteSpace(filter) || r.Contains(filter.Trim(), StringComparison.OrdinalIgnoreCase))
            .Select(route =>
            {
                var series = new List<double>(samples.Count - 1);
                for (var i = 1; i < samples.Count; i++)
                {
                    series.Add(samples[i].Routes.TryGetValue(route, out var c)
                        ? TrafficMath.Between(samples[i - 1].Routes.GetValueOrDefault(route), c, samples[i].At - samples[i - 1].At, SwarmEdgeMetrics.DurationBuckets).RequestsPerSecond
                        : 0);
                }

                var m = minute.GetValueOrDefault(route);
                return new TrafficRow(route, now.GetValueOrDefault(route)?.RequestsPerSecond ?? 0, m?.ErrorRatio ?? 0, m?.Retries ?? 0, m?.P50, m?.P99, series);
            })
            .OrderByDescending(r => r.RequestsPerSecond)
            .ThenBy(r => r.Route, StringComparer.Ordinal)
            .ToList();
        return new TrafficDocument(samples[^1].At, (int)TrafficHistory.Interval.TotalSeconds, rows.Count, [.. rows.Take(size)]);
    }

    public static string StateOf(CatalogService service) =>
        !service.IsRouted ? "unrouted" : service.UsesLastGoodRouting ? "last-good" : service.Endpoints.IsEmpty ? "no-tasks" : "serving";

    /// <summary>Each route's traffic between the last reading and the one at least window before it (or the oldest).</summary>
    private static Dictionary<string, RouteTraffic> RouteTrafficOver(IReadOnlyList<(DateTimeOffset At, Dictionary<string, RouteCounters> Routes)> samples, TimeSpan window)
    {
        if (samples.Count < 2)
        {
            return [];
        }

        var newest = samples[^1];
        var oldest = samples.LastOrDefault(s => newest.At - s.At >= window);
        if (oldest.Routes is null)
        {
            oldest = samples[0];
        }

        return newest.Routes.ToDictionary(
            r => r.Key,
            r => TrafficMath.Between(oldest.Routes.GetValueOrDefault(r.Key), r.Value, newest.At - oldest.At, SwarmEdgeMetrics.DurationBuckets),
            StringComparer.Ordinal);
    }

    private static (double RequestsPerSecond, double ErrorRatio) Totals(IReadOnlyList<(DateTimeOffset At, Dictionary<string, RouteCounters> Routes)> samples)
    {
        var routes = RouteTrafficOver(samples, RateWindow).Values.ToList();
        var requests = routes.Sum(r => r.RequestsPerSecond);
        return (requests, requests > 0 ? routes.Sum(r => r.RequestsPerSecond * r.ErrorRatio) / requests : 0);
    }
}
