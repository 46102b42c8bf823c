using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Net;
using SwarmEdge.Admin;
using SwarmEdge.Admin.Dashboard;
using SwarmEdge.Catalog;
using SwarmEdge.Discovery;
using SwarmEdge.Proxy;

namespace SwarmEdge.Tests.Admin.Dashboard;

public class DashboardApiTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    private static CatalogService Service(string name, int endpoints = 2, string[]? errors = null, string node = "n1")
    {
        var route = new HttpRoute("default", [$"{name}.example.com"], null, null, false);
        return new CatalogService($"svc-{name}", name, new ServiceRouting(80, null, null, [route]), "net-a", [route],
            [.. Enumerable.Range(1, endpoints).Select(i => new TaskEndpoint($"{name}-t{i}", node, IPAddress.Parse($"10.0.{name.Length}.{i}"), 80))],
            [.. errors ?? []], [], false);
    }

    private static EdgeStatus.View View(params CatalogService[] services) => EdgeStatus.View.Starting with
    {
        Catalog = new ServiceCatalog([.. services.Select(s => s with { ConfirmedTaskIds = new HashSet<string> { "web-t1" } })]),
        Ready = true,
        Nodes = ImmutableDictionary<string, SwarmNode>.Empty
            .Add("n1", new SwarmNode("n1", "worker-1", true, "10.77.0.11"))
            .Add("n2", new SwarmNode("n2", "worker-2", true, "10.77.0.12")),
    };

    [Fact]
    public void Five_hundred_services_are_served_fifty_a_page_those_with_errors_first()
    {
        var services = Enumerable.Range(0, 500).Select(i => Service($"svc{i:D3}", errors: i % 100 == 7 ? ["bad label"] : null)).ToArray();

        var first = DashboardApi.Services(View(services), [], null, 1, 50);
        var last = DashboardApi.Services(View(services), [], null, 99, 50);

        Assert.Equal((500, 1, 50), (first.Total, first.Page, first.Items.Count));
        Assert.Equal(["svc007", "svc107", "svc207", "svc307", "svc407", "svc000", "svc001"], first.Items.Take(7).Select(s => s.Name));
        Assert.Equal(1, first.Items[0].Errors);
        Assert.Equal(10, last.Page);
        Assert.Equal("svc499", last.Items[^1].Name);
    }

    [Fact]
    public void A_filter_matches_names_and_hosts_ignoring_case()
    {
        var page = DashboardApi.Services(View(Service("web"), Service("api"), Service("shop")), [], "SHOP.EXAMPLE", 1, 50);

        Assert.Equal(["shop"], page.Items.Select(s => s.Name));
    }

    [Fact]
    public void A_service_shows_its_endpoints_on_their_nodes_with_the_proxy_s_health_and_its_own_events()
    {
        var events = new[]
        {
            new SwarmEventEntry(T0, "container", "oom", "web", null, "web-t9", null, "task web.1 was killed by the OOM killer"),
            new SwarmEventEntry(T0, "service", "update", "api", null, null, null, "service api update"),
        };

        var service = DashboardApi.Service(View(Service("web")), "web", (_, e) => new DashboardApi.EndpointHealth("healthy", e.TaskId == "web-t2" ? "unhealthy" : "unknown", 1), events)!;

        Assert.Equal("serving", service.State);
        Assert.Equal(
            [new DashboardApi.EndpointRow("web-t1", "worker-1", "10.0.3.1:80", true, "healthy", "unknown", 1), new DashboardApi.EndpointRow("web-t2", "worker-1", "10.0.3.2:80", false, "healthy", "unhealthy", 1)],
            service.Endpoints);
        Assert.Equal(["task web.1 was killed by the OOM killer"], service.Events.Select(e => e.Summary));
        Assert.Null(DashboardApi.Service(View(Service("web")), "nope", (_, _) => new("n/a", "n/a", 0), []));
    }

    [Fact]
    public void Nodes_say_whether_docker_has_them_up_and_whether_the_edge_reaches_their_tasks()
    {
        var reach = new[] { new NodeReach("n2", "worker-2", "10.77.0.12", false, T0, 3, 2) };

        var nodes = DashboardApi.Nodes(View(Service("web"), Service("api", node: "n2")), reach);

        Assert.Equal(
            [new DashboardApi.NodeDocument("n1", "worker-1", "10.77.0.11", true, null, null, 0, 2), new DashboardApi.NodeDocument("n2", "worker-2", "10.77.0.12", true, false, T0, 3, 2)],
            nodes);
    }

    [Fact]
    public void Traffic_is_each_route_s_rate_over_the_last_readings_busiest_first_with_its_series()
    {
        long[] Buckets(long n) => [.. SwarmEdgeMetrics.DurationBuckets.Select(_ => n), n];
        var samples = new List<(DateTimeOffset, Dictionary<string, RouteCounters>)>
        {
            (T0, new() { ["web/default"] = new(0, 0, 0, Buckets(0)), ["api/default"] = new(0, 0, 0, Buckets(0)) }),
            (T0.AddSeconds(5), new() { ["web/default"] = new(50, 0, 0, Buckets(50)), ["api/default"] = new(500, 5, 1, Buckets(500)) }),
            (T0.AddSeconds(10), new() { ["web/default"] = new(100, 0, 0, Buckets(100)), ["api/default"] = new(1000, 10, 2, Buckets(1000)) }),
        };

        var traffic = DashboardApi.Traffic(samples, null, 50);

        Assert.Equal(["api/default", "web/default"], traffic.Routes.Select(r => r.Route));
        Assert.Equal((100.0, 0.01, 2L), (traffic.Routes[0].RequestsPerSecond, traffic.Routes[0].ErrorRatio, traffic.Routes[0].Retries));
        Assert.Equal([10.0, 10.0], traffic.Routes[1].Series);
        Assert.Empty(DashboardApi.Traffic(samples.Take(1).ToList(), null, 50).Routes);
    }
}
