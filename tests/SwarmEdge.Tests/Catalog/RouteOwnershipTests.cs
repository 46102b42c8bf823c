using System.Collections.Immutable;
using SwarmEdge.Catalog;
using SwarmEdge.Discovery;
using SwarmEdge.Proxy;
using static SwarmEdge.Tests.TestData;

namespace SwarmEdge.Tests.Catalog;

/// <summary>
/// A team that can deploy a labelled service must not be able to take another team's traffic: hosts belong to
/// the tenant that claimed them first, host-less routes and hosts by service name need the operator's consent,
/// and the operator can say which tenant may claim which host.
/// </summary>
public class RouteOwnershipTests
{
    private const string Namespace = RoutingPolicy.StackNamespaceLabel;

    private static readonly OptedInService Victim = Service("shop_web",
        Routed(("swarmedge.http.host", "shop.example.com"), (Namespace, "shop")), createdAt: Jan1);

    private static ServiceCatalog Build(RoutingPolicy policy, params OptedInService[] services) =>
        CatalogBuilder.Build(Snapshot(services), ServiceCatalog.Empty, [], policy: policy);

    private static OptedInService Attacker(params (string Key, string Value)[] labels) =>
        Service("evil_app", Routed([(Namespace, "evil"), .. labels]), createdAt: Jan1.AddDays(1));

    public static TheoryData<string, (string, string)[]> Captures => new()
    {
        { "the same host", [("swarmedge.http.host", "shop.example.com")] },
        { "the same host, other letter case", [("swarmedge.http.host", "SHOP.Example.COM")] },
        { "the same host, a higher priority", [("swarmedge.http.host", "shop.example.com"), ("swarmedge.http.priority", "100000")] },
        { "the same host, a port", [("swarmedge.http.host", "shop.example.com:80")] },
        { "the same host, another path", [("swarmedge.http.host", "shop.example.com"), ("swarmedge.http.path", "/login")] },
        { "a wildcard above it", [("swarmedge.http.host", "*.example.com"), ("swarmedge.http.priority", "100")] },
        { "a wildcard two levels above it", [("swarmedge.http.host", "*.com")] },
        { "a named router", [("swarmedge.http.routers.x.host", "shop.example.com"), ("swarmedge.http.routers.x.priority", "9")] },
    };

    [Theory]
    [MemberData(nameof(Captures))]
    public void Another_tenant_cannot_claim_a_host_that_overlaps_an_older_tenants(string attempt, (string, string)[] labels)
    {
        var catalog = Build(RoutingPolicy.Default, Attacker(labels), Victim);

        var victim = catalog.Find("svc-shop_web")!;
        Assert.Equal(["shop.example.com"], victim.Routes.Single().Hosts.ToArray());
        Assert.Empty(victim.Errors);
        var attacker = catalog.Find("svc-evil_app")!;
        Assert.True(attacker.Routes.IsEmpty, attempt);
        var error = Assert.Single(attacker.Errors);
        Assert.Contains("overlaps a host of shop_web route 'default' (stack shop), which claimed it first", error);
    }

    [Fact]
    public void An_older_wildcard_keeps_every_host_below_it_from_other_tenants()
    {
        var wildcard = Service("shop_all", Routed(("swarmedge.http.host", "*.example.com"), (Namespace, "shop")), createdAt: Jan1);
        var below = Attacker(("swarmedge.http.host", "login.eu.example.com"));
        var beside = Service("other_app", Routed(("swarmedge.http.host", "example.com"), (Namespace, "other")), createdAt: Jan1.AddDays(2));

        var catalog = Build(RoutingPolicy.Default, wildcard, below, beside);

        Assert.Empty(catalog.Find("svc-evil_app")!.Routes);
        // The wildcard covers names below example.com, not example.com itself.
        Assert.Equal(["example.com"], catalog.Find("svc-other_app")!.Routes.Single().Hosts.ToArray());
    }

    [Fact]
    public void Services_of_one_stack_share_a_host()
    {
        var api = Service("shop_api", Routed(
            ("swarmedge.http.host", "shop.example.com"), ("swarmedge.http.path", "/api"), (Namespace, "shop")), createdAt: Jan1.AddDays(1));

        var catalog = Build(RoutingPolicy.Default, Victim, api);

        Assert.Single(catalog.Find("svc-shop_api")!.Routes);
        Assert.Empty(catalog.Find("svc-shop_api")!.Errors);
    }

    [Fact]
    public void Services_outside_a_stack_are_tenants_of_their_own()
    {
        var first = Service("web", Routed(("swarmedge.http.host", "a.example.com")), createdAt: Jan1);
        var second = Service("web2", Routed(("swarmedge.http.host", "a.example.com"), ("swarmedge.http.path", "/x")), createdAt: Jan1.AddDays(1));

        var catalog = Build(RoutingPolicy.Default, first, second);

        Assert.Empty(catalog.Find("svc-web2")!.Routes);
        Assert.Contains("(service web)", Assert.Single(catalog.Find("svc-web2")!.Errors));
    }

    [Fact]
    public void The_older_service_keeps_its_host_whatever_the_order_of_the_list_and_the_newer_takes_it_once_it_leaves()
    {
        var attacker = Attacker(("swarmedge.http.host", "shop.example.com"));

        Assert.Empty(Build(RoutingPolicy.Default, attacker, Victim).Find("svc-evil_app")!.Routes);
        Assert.Single(Build(RoutingPolicy.Default, attacker).Find("svc-evil_app")!.Routes);
    }

    [Fact]
    public void Host_less_routes_are_refused_unless_the_operator_allows_them()
    {
        var anyHost = Attacker(("swarmedge.http.path", "/"), ("swarmedge.http.priority", "100000"));

        var refused = Build(RoutingPolicy.Default, Victim, anyHost).Find("svc-evil_app")!;
        Assert.Empty(refused.Routes);
        Assert.Contains("has a path and no host: it would match that path on every domain", Assert.Single(refused.Errors));

        var allowed = Build(RoutingPolicy.Default with { AllowHostlessRoutes = true }, Victim, anyHost);
        Assert.Single(allowed.Find("svc-evil_app")!.Routes);

        // Allowed, it still ranks below every host route, whatever its priority: it never takes a request a host route matches.
        var config = ProxyConfigBuilder.Build(allowed, "PowerOfTwoChoices");
        var victimOrder = config.Routes.Single(r => r.ClusterId == "shop_web").Order ?? 0;
        var anyHostOrder = config.Routes.Single(r => r.ClusterId == "evil_app").Order!.Value;
        Assert.True(anyHostOrder > victimOrder, $"host-less order {anyHostOrder} must lose to {victimOrder}");
    }

    [Fact]
    public void Host_less_routes_of_two_tenants_clash_when_their_paths_overlap()
    {
        var policy = RoutingPolicy.Default with { AllowHostlessRoutes = true };
        var first = Service("a", Routed(("swarmedge.http.path", "/api")), createdAt: Jan1);
        var nested = Service("b", Routed(("swarmedge.http.path", "/API/v2")), createdAt: Jan1.AddDays(1));
        var apart = Service("c", Routed(("swarmedge.http.path", "/apix")), createdAt: Jan1.AddDays(2));

        var catalog = Build(policy, first, nested, apart);

        Assert.Empty(catalog.Find("svc-b")!.Routes);
        Assert.Single(catalog.Find("svc-c")!.Routes);
    }

    [Fact]
    public void A_service_without_host_or_path_has_no_route_unless_the_operator_sets_a_default_host()
    {
        var bare = Service("Shop_Web", Routed());

        var refused = Assert.Single(Build(RoutingPolicy.Default, bare).Services);
        Assert.True(refused.IsRouted);
        Assert.Empty(refused.Routes);
        Assert.Equal(
            ["the service has no route: set swarmedge.http.host (or swarmedge.http.path); " +
             "a service is reached by its name only when the operator sets SwarmEdge:Routing:DefaultHost"],
            refused.Errors.ToArray());

        var named = Assert.Single(Build(RoutingPolicy.Default with { DefaultHost = "{service}.apps.example.com" }, bare).Services);
        Assert.Equal(["shop_web.apps.example.com"], named.Routes.Single().Hosts.ToArray());
        Assert.Empty(named.Errors);
    }

    [Fact]
    public void Allowed_hosts_limit_what_each_tenant_may_claim()
    {
        var policy = RoutingPolicy.Default with
        {
            AllowedHosts =
            [
                new HostGrant("*.shop.example.com", ["shop"]),
                new HostGrant("shop.example.com", ["shop"]),
                new HostGrant("*.apps.example.com", []),
            ],
        };
        var shop = Service("shop_web", Routed(
            ("swarmedge.http.host", "shop.example.com,*.shop.example.com"), (Namespace, "shop")), createdAt: Jan1.AddDays(5));
        var squatter = Service("evil_web", Routed(("swarmedge.http.host", "www.shop.example.com"), (Namespace, "evil")), createdAt: Jan1);
        var tool = Service("evil_tool", Routed(("swarmedge.http.host", "tool.apps.example.com"), (Namespace, "evil")), createdAt: Jan1);
        var loose = Service("loose", Routed(("swarmedge.http.host", "example.org")), createdAt: Jan1);

        var catalog = Build(policy, shop, squatter, tool, loose);

        // Older, but not allowed: the squatter cannot hold a shop host until shop deploys.
        Assert.Empty(catalog.Find("svc-evil_web")!.Routes);
        Assert.Equal(
            ["route 'default': stack evil may not claim host www.shop.example.com (SwarmEdge:Routing:AllowedHosts); it is ignored"],
            catalog.Find("svc-evil_web")!.Errors.ToArray());
        Assert.Equal(2, catalog.Find("svc-shop_web")!.Routes.Single().Hosts.Length);
        Assert.Single(catalog.Find("svc-evil_tool")!.Routes);
        Assert.Empty(catalog.Find("svc-loose")!.Routes);
    }

    [Theory]
    [InlineData("*.example.com", "a.example.com", true)]
    [InlineData("*.example.com", "a.b.example.com", true)]
    [InlineData("*.example.com", "*.b.example.com", true)]
    [InlineData("*.example.com", "*.example.com", true)]
    [InlineData("*.example.com", "example.com", false)]
    [InlineData("*.example.com", "badexample.com", false)]
    [InlineData("*.example.com", "*.com", false)]
    [InlineData("example.com", "example.com", true)]
    [InlineData("example.com", "a.example.com", false)]
    public void A_grant_covers_its_name_or_every_name_below_its_wildcard(string grant, string host, bool covered) =>
        Assert.Equal(covered, HostName.Covers(grant, host));

    [Theory]
    [InlineData("a.example.com", "a.example.com", true)]
    [InlineData("a.example.com", "*.example.com", true)]
    [InlineData("*.example.com", "a.example.com", true)]
    [InlineData("*.example.com", "*.a.example.com", true)]
    [InlineData("*.a.example.com", "*.example.com", true)]
    [InlineData("*.example.com", "example.com", false)]
    [InlineData("a.example.com", "b.example.com", false)]
    [InlineData("a.example.com", "*.a.example.com", false)]
    [InlineData("a.example.com:8443", "a.example.com", true)]
    public void Two_hosts_clash_when_one_request_host_can_match_both(string held, string claimed, bool clash)
    {
        var ownership = new HostOwnership();
        ownership.Claim(held, new HostOwnership.Owner(new Tenant("one", "stack one"), "s1", "default"));

        Assert.Equal(clash, ownership.Clash(new Tenant("two", "stack two"), claimed) is not null);
        Assert.Null(ownership.Clash(new Tenant("one", "stack one"), claimed));
    }

    [Theory]
    [InlineData("/", "/x", true)]
    [InlineData("/api", "/api", true)]
    [InlineData("/api", "/API", true)]
    [InlineData("/api", "/api/v1", true)]
    [InlineData("/api", "/apix", false)]
    [InlineData("/a", "/b", false)]
    public void Two_path_prefixes_overlap_when_one_path_can_start_with_both(string a, string b, bool overlap)
    {
        Assert.Equal(overlap, HostOwnership.PathsOverlap(a, b));
        Assert.Equal(overlap, HostOwnership.PathsOverlap(b, a));
    }
}
