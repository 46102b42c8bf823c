using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Net;
using SwarmEdge.Catalog;
using SwarmEdge.Discovery;
using static SwarmEdge.Tests.TestData;

namespace SwarmEdge.Tests.Catalog;

public class CatalogBuilderTests
{
    private const string LastGoodNote = "serving the last good routing until the errors above are fixed";

    private static readonly OptedInService Web = Service("web", Routed());
    private static readonly SwarmTask T1 = TaskAt("t1", "svc-web", "10.0.1.1");
    private static readonly SwarmTask T2 = TaskAt("t2", "svc-web", "10.0.1.2");

    private static ServiceCatalog Build(SwarmSnapshot snapshot, ServiceCatalog? previous = null, params string[] shared) =>
        CatalogBuilder.Build(snapshot, previous ?? ServiceCatalog.Empty, shared, policy: OpenPolicy);

    private static HttpRoute Route(string name, params string[] hosts) => new(name, [.. hosts], null, null, false);

    private static string[] TaskIds(CatalogService service) => [.. service.Endpoints.Select(e => e.TaskId)];

    [Fact]
    public void A_valid_service_is_routed_to_its_tasks()
    {
        var catalog = Build(Snapshot([Web], [T2, T1]));

        var web = Assert.Single(catalog.Services);
        Assert.Equal("svc-web", web.Id);
        Assert.Equal("web", web.Name);
        Assert.True(web.IsRouted);
        Assert.Equal("net-a", web.NetworkId);
        Assert.Equal([Route("default", "web")], web.Routes.ToArray());
        Assert.Equal(
            [new TaskEndpoint("t1", "node-1", IPAddress.Parse("10.0.1.1"), 8080), new TaskEndpoint("t2", "node-1", IPAddress.Parse("10.0.1.2"), 8080)],
            web.Endpoints.ToArray());
        Assert.Empty(web.Errors);
        Assert.False(web.UsesLastGoodRouting);
    }

    [Fact]
    public void Opted_out_services_are_absent()
    {
        var catalog = Build(Snapshot([
            Web,
            Service("no-label", Labels(("swarmedge.http.port", "8080"))),
            Service("disabled", Routed(("swarmedge.enable", "false"))),
        ]));

        Assert.Equal(["web"], catalog.Services.Select(s => s.Name));
    }

    [Fact]
    public void A_routed_service_that_opts_out_is_absent_and_keeps_no_last_good_routing()
    {
        var first = Build(Snapshot([Web], [T1]));

        var second = Build(Snapshot([Service("web", Routed(("swarmedge.enable", "false")))], [T1]), first);

        Assert.Empty(second.Services);
    }

    [Fact]
    public void A_service_whose_labels_were_never_valid_has_no_routes()
    {
        var broken = Service("web", Labels(("swarmedge.enable", "true")));

        var web = Assert.Single(Build(Snapshot([broken], [T1])).Services);

        Assert.False(web.IsRouted);
        Assert.Null(web.Routing);
        Assert.Null(web.NetworkId);
        Assert.Empty(web.Routes);
        Assert.Empty(web.Endpoints);
        Assert.False(web.UsesLastGoodRouting);
        Assert.Equal(["label swarmedge.http.port is missing: it names the port the service's tasks listen on"], web.Errors.ToArray());
    }

    [Fact]
    public void When_labels_break_later_the_last_good_routing_is_kept_and_flagged_and_endpoints_still_follow_the_tasks()
    {
        var good = Service("web", Routed(("swarmedge.http.host", "shop.example.com")));
        var first = Build(Snapshot([good], [T1]));

        var broken = good with { Labels = good.Labels.SetItem("swarmedge.http.port", "eighty") };
        var second = Build(Snapshot([broken], [T1, T2]), first);

        var web = Assert.Single(second.Services);
        Assert.True(web.IsRouted);
        Assert.True(web.UsesLastGoodRouting);
        Assert.Equal(first.Services[0].Routing, web.Routing);
        Assert.Equal("net-a", web.NetworkId);
        Assert.Equal([Route("default", "shop.example.com")], web.Routes.ToArray());
        Assert.Equal(["t1", "t2"], TaskIds(web));
        Assert.Equal(
            ["label swarmedge.http.port=\"eighty\": must be a port number from 1 to 65535", LastGoodNote],
            web.Errors.ToArray());
    }

    [Fact]
    public void When_enable_changes_to_an_invalid_value_the_last_good_routing_is_kept()
    {
        var first = Build(Snapshot([Web], [T1]));

        var second = Build(Snapshot([Web with { Labels = Web.Labels.SetItem("swarmedge.enable", "yes") }], [T1]), first);

        var web = Assert.Single(second.Services);
        Assert.True(web.UsesLastGoodRouting);
        Assert.Equal([Route("default", "web")], web.Routes.ToArray());
        Assert.Equal(["t1"], TaskIds(web));
        Assert.Equal(["label swarmedge.enable=\"yes\": must be true or false", LastGoodNote], web.Errors.ToArray());
    }

    [Fact]
    public void The_last_good_routing_survives_several_broken_builds_and_is_replaced_once_labels_are_fixed()
    {
        var first = Build(Snapshot([Web], [T1]));
        var broken = Snapshot([Web with { Labels = Web.Labels.SetItem("swarmedge.http.lb", "weighted") }], [T1]);
        var second = Build(broken, first);
        var third = Build(broken, second);

        Assert.True(third.Services[0].UsesLastGoodRouting);
        Assert.Equal([Route("default", "web")], third.Services[0].Routes.ToArray());

        var fixedLabels = Web with { Labels = Web.Labels.SetItem("swarmedge.http.host", "new.example.com") };
        var fourth = Build(Snapshot([fixedLabels], [T1]), third);

        Assert.False(fourth.Services[0].UsesLastGoodRouting);
        Assert.Empty(fourth.Services[0].Errors);
        Assert.Equal([Route("default", "new.example.com")], fourth.Services[0].Routes.ToArray());
    }

    [Fact]
    public void When_the_network_becomes_ambiguous_the_last_good_routing_and_network_are_kept()
    {
        var first = Build(Snapshot([Web], [T1]));

        var second = Build(Snapshot([Web with { NetworkIds = ["net-a", "net-b"] }], [T1]), first);

        var web = Assert.Single(second.Services);
        Assert.True(web.UsesLastGoodRouting);
        Assert.Equal("net-a", web.NetworkId);
        Assert.Equal(["t1"], TaskIds(web));
        Assert.Equal(
            ["the service is on several networks SwarmEdge shares (edge, db): choose one with the swarmedge.network label", LastGoodNote],
            web.Errors.ToArray());
    }

    [Fact]
    public void A_broken_service_does_not_affect_another()
    {
        var broken = Service("api", Routed(("swarmedge.http.port", "0")));

        var catalog = Build(Snapshot([broken, Web], [T1]));

        var web = catalog.Find("svc-web")!;
        Assert.True(web.IsRouted);
        Assert.Empty(web.Errors);
        Assert.Equal(["t1"], TaskIds(web));
        Assert.False(catalog.Find("svc-api")!.IsRouted);
    }

    // ---- route conflicts ----

    [Fact]
    public void The_older_service_keeps_a_conflicting_route_and_the_newer_loses_only_that_route()
    {
        var older = Service("shop", Routed(("swarmedge.http.host", "Shop.Example.com")), createdAt: Jan1);
        var newer = Service("beta", Routed(
            ("swarmedge.http.routers.main.host", "shop.example.com"),
            ("swarmedge.http.routers.preview.host", "beta.example.com")), createdAt: Jan1.AddDays(30));
        var tasks = new[] { TaskAt("s1", "svc-shop", "10.0.1.1"), TaskAt("b1", "svc-beta", "10.0.1.9") };

        // Listed newest first: the order of creation decides, not the order of the list.
        var catalog = Build(Snapshot([newer, older], tasks));

        Assert.Equal(["shop", "beta"], catalog.Services.Select(s => s.Name));
        var shop = catalog.Find("svc-shop")!;
        Assert.Equal([Route("default", "shop.example.com")], shop.Routes.ToArray());
        Assert.Empty(shop.Errors);

        var beta = catalog.Find("svc-beta")!;
        Assert.True(beta.IsRouted);
        Assert.Equal([Route("preview", "beta.example.com")], beta.Routes.ToArray());
        Assert.Equal(["b1"], TaskIds(beta));
        Assert.Equal(
            ["route 'main': host shop.example.com overlaps a host of shop route 'default' (service shop), which claimed it first; " +
             "a host is served by one tenant only, so it is ignored"],
            beta.Errors.ToArray());
    }

    [Fact]
    public void Routes_of_one_stack_on_the_same_host_with_another_path_or_priority_do_not_conflict()
    {
        var older = Service("shop", Routed(("swarmedge.http.host", "shop.example.com"), ("com.docker.stack.namespace", "shop")), createdAt: Jan1);
        var newer = Service("beta", Routed(
            ("com.docker.stack.namespace", "shop"),
            ("swarmedge.http.routers.api.host", "shop.example.com"),
            ("swarmedge.http.routers.api.path", "/api"),
            ("swarmedge.http.routers.urgent.host", "shop.example.com"),
            ("swarmedge.http.routers.urgent.priority", "5")), createdAt: Jan1.AddDays(1));

        var catalog = Build(Snapshot([older, newer]));

        Assert.Equal(2, catalog.Find("svc-beta")!.Routes.Length);
        Assert.Empty(catalog.Find("svc-beta")!.Errors);
        Assert.Single(catalog.Find("svc-shop")!.Routes);
    }

    [Fact]
    public void Two_routers_of_one_service_with_the_same_claim_keep_the_first_by_name()
    {
        var web = Service("web", Routed(
            ("swarmedge.http.routers.b.host", "x.example.com"),
            ("swarmedge.http.routers.b.priority", "5"),
            ("swarmedge.http.routers.a.host", "x.example.com"),
            ("swarmedge.http.routers.a.priority", "5")));

        var service = Assert.Single(Build(Snapshot([web])).Services);

        Assert.Equal(["a"], service.Routes.Select(r => r.Name));
        Assert.Equal(
            ["route 'b' (host x.example.com, path /, priority 5) is already served by web route 'a'; " +
             "it is ignored: give it another host, path or priority"],
            service.Errors.ToArray());
    }

    [Theory]
    // Both taken: routing tells every request between them (disjoint methods, one names methods and the other does
    // not, different header counts, two values of one header).
    [InlineData("GET", "", "POST", "", true)]
    [InlineData("GET", "", "", "", true)]
    [InlineData("", "X-A=1", "", "", true)]
    [InlineData("", "X-A=1", "", "X-A=2", true)]
    [InlineData("GET", "X-A=1", "GET", "X-A=1; X-B=1", true)]
    // Refused: a request could match both, neither preferred (an ambiguous match, answered 500).
    [InlineData("GET", "", "GET,POST", "", false)]
    [InlineData("", "X-A=1", "", "X-B=1", false)]
    [InlineData("GET", "X-A=1", "GET", "X-A=1", false)]
    public void Routes_on_one_host_and_path_are_both_served_only_when_routing_tells_them_apart(
        string firstMethods, string firstHeaders, string secondMethods, string secondHeaders, bool both)
    {
        var labels = new List<(string, string)>
        {
            ("swarmedge.http.routers.a.host", "x.example.com"),
            ("swarmedge.http.routers.b.host", "x.example.com"),
        };
        void Add(string router, string methods, string headers)
        {
            if (methods.Length > 0) labels.Add(($"swarmedge.http.routers.{router}.methods", methods));
            if (headers.Length > 0) labels.Add(($"swarmedge.http.routers.{router}.headers", headers));
        }

        Add("a", firstMethods, firstHeaders);
        Add("b", secondMethods, secondHeaders);

        var service = Assert.Single(Build(Snapshot([Service("web", Routed([.. labels]))])).Services);

        Assert.Equal(both ? ["a", "b"] : ["a"], service.Routes.Select(r => r.Name));
        if (!both)
        {
            Assert.StartsWith("route 'b' (host x.example.com, path /", Assert.Single(service.Errors), StringComparison.Ordinal);
            Assert.EndsWith("or methods or headers that tell the two apart", service.Errors[0], StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Path_only_routes_of_two_services_conflict_on_any_host()
    {
        var older = Service("one", Routed(("swarmedge.http.path", "/api/")), createdAt: Jan1);
        var newer = Service("two", Routed(("swarmedge.http.path", "/api")), createdAt: Jan1.AddHours(1));

        var catalog = Build(Snapshot([older, newer]));

        Assert.Empty(catalog.Find("svc-two")!.Routes);
        Assert.Equal(
            ["route 'default' (path /api on any host) overlaps one route 'default' of service one, which was there first; it is ignored"],
            catalog.Find("svc-two")!.Errors.ToArray());
    }

    // ---- networks ----

    [Fact]
    public void A_service_on_one_network_uses_it_when_no_networks_are_configured()
    {
        var api = Service("api", Routed(), networks: ["net-b"]);
        var task = new SwarmTask("a1", "svc-api", "node-1", "running", ImmutableDictionary.CreateRange(new Dictionary<string, IPAddress>
        {
            ["net-a"] = IPAddress.Parse("10.0.1.7"),
            ["net-b"] = IPAddress.Parse("10.0.2.7"),
        }));

        var service = Assert.Single(Build(Snapshot([api], [task])).Services);

        Assert.Equal("net-b", service.NetworkId);
        Assert.Equal(IPAddress.Parse("10.0.2.7"), Assert.Single(service.Endpoints).Address);
    }

    [Theory]
    [InlineData("edge", "net-a", "10.0.1.7")]
    [InlineData("net-b", "net-b", "10.0.2.7")]
    public void A_service_on_several_networks_uses_the_one_swarmedge_shares_by_name_or_id(string shared, string network, string ip)
    {
        var api = Service("api", Routed(), networks: ["net-a", "net-b"]);
        var task = new SwarmTask("a1", "svc-api", "node-1", "running", ImmutableDictionary.CreateRange(new Dictionary<string, IPAddress>
        {
            ["net-a"] = IPAddress.Parse("10.0.1.7"),
            ["net-b"] = IPAddress.Parse("10.0.2.7"),
        }));

        var service = Assert.Single(Build(Snapshot([api], [task]), null, shared).Services);

        Assert.Empty(service.Errors);
        Assert.Equal(network, service.NetworkId);
        Assert.Equal(IPAddress.Parse(ip), Assert.Single(service.Endpoints).Address);
    }

    [Fact]
    public void Several_networks_without_the_network_label_is_an_error()
    {
        var api = Service("api", Routed(), networks: ["net-a", "net-b"]);

        var service = Assert.Single(Build(Snapshot([api])).Services);

        Assert.False(service.IsRouted);
        Assert.Empty(service.Routes);
        Assert.Equal(
            ["the service is on several networks SwarmEdge shares (edge, db): choose one with the swarmedge.network label"],
            service.Errors.ToArray());
    }

    [Theory]
    [InlineData("db")]
    [InlineData("net-b")]
    public void The_network_label_chooses_among_several_networks_by_name_or_id(string label)
    {
        var api = Service("api", Routed(("swarmedge.network", label)), networks: ["net-a", "net-b"]);

        var service = Assert.Single(Build(Snapshot([api])).Services);

        Assert.Empty(service.Errors);
        Assert.Equal("net-b", service.NetworkId);
    }

    [Fact]
    public void A_network_label_naming_a_network_the_service_is_not_on_is_an_error()
    {
        var api = Service("api", Routed(("swarmedge.network", "cache")), networks: ["net-a", "net-b"]);

        var service = Assert.Single(Build(Snapshot([api])).Services);

        Assert.False(service.IsRouted);
        Assert.Equal(["label swarmedge.network=\"cache\": the service is not on that network (it is on edge, db)"], service.Errors.ToArray());
    }

    [Fact]
    public void A_network_label_naming_a_network_swarmedge_does_not_share_is_an_error()
    {
        var api = Service("api", Routed(("swarmedge.network", "db")), networks: ["net-a", "net-b"]);

        var service = Assert.Single(Build(Snapshot([api]), null, "edge").Services);

        Assert.False(service.IsRouted);
        Assert.Equal(["label swarmedge.network=\"db\": SwarmEdge is not attached to that network (it shares edge)"], service.Errors.ToArray());
    }

    [Fact]
    public void A_service_on_no_shared_network_is_an_error()
    {
        var api = Service("api", Routed(), networks: ["net-b"]);

        var service = Assert.Single(Build(Snapshot([api]), null, "edge").Services);

        Assert.False(service.IsRouted);
        Assert.Equal(["the service's networks (db) are not ones SwarmEdge shares (edge)"], service.Errors.ToArray());
    }

    [Fact]
    public void A_service_on_no_network_is_an_error()
    {
        var api = Service("api", Routed(), networks: []);

        var service = Assert.Single(Build(Snapshot([api])).Services);

        Assert.False(service.IsRouted);
        Assert.Equal(
            ["the service is on no network SwarmEdge can reach: attach it to an overlay network SwarmEdge shares"],
            service.Errors.ToArray());
    }

    // ---- DNS confirmations ----

    [Fact]
    public void Dns_confirmations_are_carried_from_one_build_to_the_next()
    {
        var first = Build(Snapshot([Web], [T1, T2], dns: [("web", Dns("10.0.1.1"))]));
        Assert.Equal(["t1"], first.Services[0].ConfirmedTaskIds);
        Assert.Equal(["t1", "t2"], TaskIds(first.Services[0]));

        // DNS drops t1 (it is stopping): only the build that remembers t1 was confirmed removes it.
        var dropped = Snapshot([Web], [T1, T2], dns: [("web", Dns("10.0.1.2"))]);

        var second = Build(dropped, first);
        Assert.Equal(["t2"], TaskIds(second.Services[0]));
        Assert.Equal(["t1", "t2"], second.Services[0].ConfirmedTaskIds.Order().ToArray());

        var withoutMemory = Build(dropped, ServiceCatalog.Empty);
        Assert.Equal(["t1", "t2"], TaskIds(withoutMemory.Services[0]));
    }

    [Fact]
    public void Dns_answers_are_matched_to_services_by_name()
    {
        var other = Service("other", Routed(("swarmedge.http.host", "other.example.com")));
        var previous = Build(Snapshot([Web, other], [T1], dns: [("web", Dns("10.0.1.1"))]));
        Assert.Equal(["t1"], previous.Find("svc-web")!.ConfirmedTaskIds);

        var catalog = Build(Snapshot([Web, other], [T1], dns: [("other", Dns())]), previous);

        Assert.Equal(["t1"], TaskIds(catalog.Find("svc-web")!));
    }
}
