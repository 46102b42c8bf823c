using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Net;
using SwarmEdge.Catalog;
using SwarmEdge.Proxy;

namespace SwarmEdge.Tests.Proxy;

public class ProxyConfigBuilderTests
{
    private const string DefaultPolicy = "PowerOfTwoChoices";

    private static HttpRoute Route(string name, string[] hosts, string? path = null, int? priority = null, bool strip = false) =>
        new(name, [.. hosts], path, priority, strip);

    private static TaskEndpoint Endpoint(string task, string ip) => new(task, "node-1", IPAddress.Parse(ip), 8080);

    private static CatalogService Service(string name, HttpRoute[] routes, TaskEndpoint[]? endpoints = null, string? policy = null) =>
        new("svc-" + name, name, new ServiceRouting(8080, null, policy, [.. routes]), "net-a",
            [.. routes], [.. endpoints ?? []], [], [], false);

    private static ProxyConfigBuilder.ProxyConfig Build(params CatalogService[] services) =>
        ProxyConfigBuilder.Build(new ServiceCatalog([.. services]), DefaultPolicy);

    [Fact]
    public void Each_route_is_named_service_slash_router_and_points_at_the_service_s_cluster()
    {
        var config = Build(Service("web", [Route("default", ["web"]), Route("api", [], "/api")]));

        Assert.Equal(["web/default", "web/api"], config.Routes.Select(r => r.RouteId));
        Assert.All(config.Routes, r => Assert.Equal("web", r.ClusterId));
        Assert.All(config.Routes, r => Assert.Equal("web", r.Metadata![ProxyConfigBuilder.ServiceMetadataKey]));
        var cluster = Assert.Single(config.Clusters);
        Assert.Equal("web", cluster.ClusterId);
        Assert.Equal("web", cluster.Metadata![ProxyConfigBuilder.ServiceMetadataKey]);
    }

    [Fact]
    public void A_host_route_matches_its_hosts_and_every_path()
    {
        var route = Assert.Single(Build(Service("web", [Route("default", ["a.example.com", "b.example.com"])])).Routes);

        Assert.Equal(["a.example.com", "b.example.com"], route.Match.Hosts!);
        Assert.Equal("/{**catch-all}", route.Match.Path);
        Assert.Null(route.Order);
        Assert.Null(route.Transforms);
    }

    [Fact]
    public void A_path_route_matches_the_prefix_and_everything_below_it_on_any_host()
    {
        var route = Assert.Single(Build(Service("web", [Route("api", [], "/api/v1")])).Routes);

        Assert.Null(route.Match.Hosts);
        Assert.Equal("/api/v1/{**catch-all}", route.Match.Path);
    }

    [Fact]
    public void The_root_path_matches_everything()
    {
        var route = Assert.Single(Build(Service("web", [Route("root", ["a.example.com"], "/")])).Routes);

        Assert.Equal("/{**catch-all}", route.Match.Path);
    }

    [Theory]
    [InlineData(10, -10)]
    [InlineData(-3, 3)]
    [InlineData(0, 0)]
    public void Order_is_minus_the_priority(int priority, int order)
    {
        var route = Assert.Single(Build(Service("web", [Route("default", ["web"], priority: priority)])).Routes);

        Assert.Equal(order, route.Order);
    }

    [Fact]
    public void Strip_prefix_removes_the_path_prefix()
    {
        var route = Assert.Single(Build(Service("web", [Route("api", ["web"], "/api", strip: true)])).Routes);

        var transform = Assert.Single(route.Transforms!);
        Assert.Equal(new Dictionary<string, string> { ["PathRemovePrefix"] = "/api" }, transform);
    }

    [Fact]
    public void Strip_prefix_on_the_root_path_adds_no_transform()
    {
        var route = Assert.Single(Build(Service("web", [Route("api", ["web"], "/", strip: true)])).Routes);

        Assert.Null(route.Transforms);
    }

    [Fact]
    public void Destinations_are_keyed_by_task_id_with_http_urls_and_bracketed_ipv6()
    {
        var config = Build(Service("web", [Route("default", ["web"])], [Endpoint("t1", "10.0.1.5"), Endpoint("t2", "fd00::5")]));

        var destinations = Assert.Single(config.Clusters).Destinations!;
        Assert.Equal(["t1", "t2"], destinations.Keys.Order().ToArray());
        Assert.Equal("http://10.0.1.5:8080/", destinations["t1"].Address);
        Assert.Equal("http://[fd00::5]:8080/", destinations["t2"].Address);
    }

    [Fact]
    public void A_service_without_a_policy_label_gets_the_default_policy_and_a_label_overrides_it()
    {
        var config = Build(
            Service("web", [Route("default", ["web"])]),
            Service("api", [Route("default", ["api"])], policy: "RoundRobin"));

        Assert.Equal(DefaultPolicy, config.Clusters.Single(c => c.ClusterId == "web").LoadBalancingPolicy);
        Assert.Equal("RoundRobin", config.Clusters.Single(c => c.ClusterId == "api").LoadBalancingPolicy);
    }

    [Fact]
    public void Unrouted_services_are_skipped()
    {
        var broken = new CatalogService("svc-bad", "bad", null, null, [], [], ["label swarmedge.http.port is missing"], [], false);
        var noNetwork = Service("lost", [Route("default", ["lost"])]) with { NetworkId = null };

        var config = Build(broken, noNetwork, Service("web", [Route("default", ["web"])]));

        Assert.Equal(["web"], config.Clusters.Select(c => c.ClusterId));
        Assert.Equal(["web/default"], config.Routes.Select(r => r.RouteId));
    }

    [Fact]
    public void Only_the_routes_the_service_kept_become_proxy_routes()
    {
        // Routing asks for two routes; the catalog dropped "b" because another service claims it.
        var service = Service("web", [Route("a", ["a.example.com"]), Route("b", ["b.example.com"])]) with
        {
            Routes = [Route("a", ["a.example.com"])],
        };

        var config = Build(service);

        Assert.Equal(["web/a"], config.Routes.Select(r => r.RouteId));
        Assert.Single(config.Clusters);
    }

    [Fact]
    public void Every_cluster_has_transport_failure_passive_health_and_falls_back_to_all_tasks_when_none_is_healthy()
    {
        var cluster = Assert.Single(Build(Service("web", [Route("default", ["web"])])).Clusters);

        Assert.True(cluster.HealthCheck!.Passive!.Enabled);
        Assert.Equal(TransportFailurePolicy.PolicyName, cluster.HealthCheck.Passive.Policy);
        Assert.Equal("HealthyOrPanic", cluster.HealthCheck.AvailableDestinationsPolicy);
        Assert.Null(cluster.HealthCheck.Active);
    }

    [Fact]
    public void An_active_health_check_label_becomes_yarp_s_consecutive_failures_check()
    {
        var route = Route("default", ["web"]);
        var check = new ActiveHealthCheck("/healthz", TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(500), 4);
        var service = new CatalogService("svc-web", "web", new ServiceRouting(8080, null, null, [route], HealthCheck: check), "net-a",
            [route], [], [], [], false);

        var cluster = Assert.Single(Build(service).Clusters);

        var active = cluster.HealthCheck!.Active!;
        Assert.True(active.Enabled);
        Assert.Equal("/healthz", active.Path);
        Assert.Equal(TimeSpan.FromSeconds(3), active.Interval);
        Assert.Equal(TimeSpan.FromMilliseconds(500), active.Timeout);
        Assert.Equal("ConsecutiveFailures", active.Policy);
        Assert.Equal("4", cluster.Metadata![ProxyConfigBuilder.ConsecutiveFailuresThresholdKey]);
    }

    [Fact]
    public void Retry_labels_travel_to_every_route_of_the_service_as_metadata()
    {
        var routes = new[] { Route("default", ["web"]), Route("api", [], "/api") };
        var service = new CatalogService("svc-web", "web",
            new ServiceRouting(8080, null, null, [.. routes], Retry: new RetrySettings(5, "GET,PUT")), "net-a",
            [.. routes], [], [], [], false);

        var config = Build(service);

        Assert.All(config.Routes, r => Assert.Equal("5", r.Metadata![RetryMiddleware.AttemptsMetadataKey]));
        Assert.All(config.Routes, r => Assert.Equal("GET,PUT", r.Metadata![RetryMiddleware.MethodsMetadataKey]));
        Assert.False(Build(Service("plain", [Route("default", ["p"])])).Routes[0].Metadata!.ContainsKey(RetryMiddleware.AttemptsMetadataKey));
    }

    [Fact]
    public void A_stall_timeout_label_travels_to_the_cluster_in_milliseconds_and_zero_is_kept()
    {
        var route = Route("default", ["poll"]);
        CatalogService WithStall(string name, TimeSpan? stall) =>
            new("svc-" + name, name, new ServiceRouting(8080, null, null, [route], StallTimeout: stall), "net-a", [route], [], [], [], false);

        var config = Build(WithStall("poll", TimeSpan.Zero), WithStall("reports", TimeSpan.FromSeconds(1.5)), WithStall("web", null));

        Assert.Equal("0", config.Clusters[0].Metadata![ProxyConfigBuilder.StallTimeoutKey]);
        Assert.Equal("1500", config.Clusters[1].Metadata![ProxyConfigBuilder.StallTimeoutKey]);
        Assert.False(config.Clusters[2].Metadata!.ContainsKey(ProxyConfigBuilder.StallTimeoutKey));
    }

    [Fact]
    public void A_route_s_limits_and_its_service_s_rate_limit_travel_in_its_metadata_with_the_rate_limiter_policy()
    {
        var limited = Service("upload", [Route("default", ["upload.example.com"]) with { MaxRequestBodySize = 1024, ResponseTimeout = TimeSpan.FromSeconds(2.5) }]) is var s
            ? s with { Routing = s.Routing! with { RateLimit = new RequestRate(600, TimeSpan.FromMinutes(1)) } }
            : null!;

        var config = Build(limited, Service("plain", [Route("default", ["plain.example.com"])]));

        var route = config.Routes[0];
        Assert.Equal("1024", route.Metadata![SwarmEdge.Proxy.Limits.RequestBodyLimitMiddleware.MaxBodySizeMetadataKey]);
        Assert.Equal("2500", route.Metadata[PendingResponseForwarder.ResponseTimeoutKey]);
        Assert.Equal("600/60", route.Metadata[SwarmEdge.Proxy.Limits.ClientRateLimits.RateMetadataKey]);
        Assert.Equal(SwarmEdge.Proxy.Limits.ClientRateLimits.ServicePolicy, route.RateLimiterPolicy);
        Assert.Null(config.Routes[1].RateLimiterPolicy);
        Assert.False(config.Routes[1].Metadata!.ContainsKey(SwarmEdge.Proxy.Limits.RequestBodyLimitMiddleware.MaxBodySizeMetadataKey));
        Assert.False(config.Routes[1].Metadata!.ContainsKey(PendingResponseForwarder.ResponseTimeoutKey));
    }

    [Fact]
    public void A_route_s_exact_path_methods_and_headers_are_yarp_s_match()
    {
        var exact = Route("api", ["api.example.com"], "/v1/items") with
        {
            ExactPath = true,
            Methods = ["GET", "POST"],
            Headers = [new HeaderMatch("X-Env", "beta")],
        };

        var config = Build(Service("api", [exact, Route("all", ["api.example.com"], "/v1")]));

        var match = config.Routes[0].Match;
        Assert.Equal("/v1/items", match.Path);
        Assert.Equal(["GET", "POST"], match.Methods!);
        var header = Assert.Single(match.Headers!);
        Assert.Equal(("X-Env", "beta", Yarp.ReverseProxy.Configuration.HeaderMatchMode.ExactHeader, true), (header.Name, Assert.Single(header.Values!), header.Mode, header.IsCaseSensitive));
        Assert.Equal("/v1/{**catch-all}", config.Routes[1].Match.Path);
        Assert.Null(config.Routes[1].Match.Methods);
        Assert.Null(config.Routes[1].Match.Headers);
    }

    [Fact]
    public void A_host_less_route_is_ordered_after_every_host_route_whatever_its_priority()
    {
        var config = Build(
            Service("any", [Route("default", [], "/", priority: 100_000)]),
            Service("low", [Route("default", ["low.example.com"], priority: -100_000)]));

        Assert.Equal(ProxyConfigBuilder.HostlessOrderOffset - 100_000, config.Routes[0].Order);
        Assert.Equal(100_000, config.Routes[1].Order);
        Assert.True(config.Routes[0].Order > config.Routes[1].Order);
    }

    [Fact]
    public void A_router_on_another_port_gets_a_cluster_of_the_same_tasks_on_that_port_with_health_of_its_own()
    {
        var main = Route("default", ["spark.example.com"]);
        var ui = new HttpRoute("ui", ["ui.spark.example.com"], null, null, false, Port: 4040);
        var service = new CatalogService("svc-spark", "spark",
            new ServiceRouting(8080, null, null, [main, ui], HealthCheck: new ActiveHealthCheck("/health", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2), 2)),
            "net-a", [main, ui], [Endpoint("t1", "10.0.1.1"), Endpoint("t2", "10.0.1.2")], [], [], false);

        var config = Build(service);

        Assert.Equal(["spark", "spark:4040"], config.Clusters.Select(c => c.ClusterId));
        Assert.Equal(["spark", "spark:4040"], config.Routes.Select(r => r.ClusterId));
        Assert.Equal("http://10.0.1.1:8080/", config.Clusters[0].Destinations!["t1"].Address);
        Assert.Equal("http://10.0.1.1:4040/", config.Clusters[1].Destinations!["t1"].Address);
        Assert.Equal("http://10.0.1.2:4040/", config.Clusters[1].Destinations!["t2"].Address);
        // Active checks are about swarmedge.http.port; the other port has passive health of its own.
        Assert.True(config.Clusters[0].HealthCheck!.Active!.Enabled);
        Assert.Null(config.Clusters[1].HealthCheck!.Active);
        Assert.True(config.Clusters[1].HealthCheck!.Passive!.Enabled);
        Assert.All(config.Clusters, c => Assert.Equal("spark", c.Metadata![ProxyConfigBuilder.ServiceMetadataKey]));
    }

    [Fact]
    public void H2c_tasks_get_http2_by_prior_knowledge_and_tls_tasks_https_destinations_with_alpn()
    {
        var route = Route("default", ["grpc.example.com"]);
        CatalogService With(TaskProtocol protocol) => new("svc-g", "g", new ServiceRouting(50051, null, null, [route], Protocol: protocol), "net-a",
            [route], [Endpoint("t1", "10.0.1.1")], [], [], false);

        var h2c = Build(With(TaskProtocol.H2c)).Clusters.Single();
        Assert.Equal(System.Net.HttpVersion.Version20, h2c.HttpRequest!.Version);
        Assert.Equal(HttpVersionPolicy.RequestVersionExact, h2c.HttpRequest.VersionPolicy);
        Assert.StartsWith("http://", h2c.Destinations!["t1"].Address);

        var tls = Build(With(TaskProtocol.Https)).Clusters.Single();
        Assert.Equal(HttpVersionPolicy.RequestVersionOrLower, tls.HttpRequest!.VersionPolicy);
        Assert.Equal("https://10.0.1.1:50051/", tls.Destinations!["t1"].Address);

        Assert.Null(Build(With(TaskProtocol.Http1)).Clusters.Single().HttpRequest);
    }

    [Fact]
    public void Ids_equal_ignoring_case_are_left_out_after_the_first_and_reported_against_their_service()
    {
        // YARP refuses a whole update with a duplicate ID when case is ignored: only the duplicates go.
        var config = Build(
            Service("web", [Route("default", ["web"]), Route("Admin", ["admin.web"]), Route("admin", ["admin2.web"])]),
            Service("WEB", [Route("default", ["other"])]));

        Assert.Equal(["web"], config.Clusters.Select(c => c.ClusterId));
        Assert.Equal(["web/default", "web/Admin"], config.Routes.Select(r => r.RouteId));
        Assert.Equal(["route web/admin refused by the proxy: another route is named web/admin when case is ignored"], config.Refused["web"].ToArray());
        Assert.Equal(["cluster refused by the proxy: another service is named WEB when case is ignored"], config.Refused["WEB"].ToArray());
    }

    [Fact]
    public void Distinct_ids_refuse_nothing() =>
        Assert.Empty(Build(Service("web", [Route("default", ["web"])]), Service("api", [Route("default", ["api"])])).Refused);

    [Fact]
    public void With_acme_on_one_route_sends_the_challenges_of_the_certificate_hosts_to_the_issuer_before_any_service_route()
    {
        var shop = Service("shop", [new HttpRoute("default", ["shop.test"], null, 100000, false, Tls: new RouteTls(RouteScheme.Https, true, null, true))]);
        var other = Service("other", [Route("default", ["other.test"])]);
        var acme = new AcmeOptions { StorageKeyFile = "/run/secrets/key", IssuerAddress = "http://issuer:8402" };

        var config = ProxyConfigBuilder.Build(new ServiceCatalog([shop, other]), DefaultPolicy, acme);

        var challenge = Assert.Single(config.Routes, r => r.RouteId == ProxyConfigBuilder.AcmeChallengeRouteId);
        Assert.Equal(["shop.test"], challenge.Match.Hosts);
        Assert.Equal("/.well-known/acme-challenge/{token}", challenge.Match.Path);
        Assert.True(config.Routes.Where(r => r != challenge).All(r => (r.Order ?? 0) > challenge.Order));
        Assert.Equal("false", challenge.Metadata![RouteSchemeMiddleware.RedirectKey]);
        Assert.Equal("true", Assert.Single(challenge.Transforms!)["RequestHeaderOriginalHost"]);
        var issuer = Assert.Single(config.Clusters, c => c.ClusterId == challenge.ClusterId);
        Assert.Equal("http://issuer:8402", Assert.Single(issuer.Destinations!).Value.Address);
    }

    [Fact]
    public void Without_acme_or_without_certificate_hosts_there_is_no_challenge_route()
    {
        var shop = Service("shop", [Route("default", ["shop.test"])]);
        var catalog = new ServiceCatalog([shop]);

        Assert.DoesNotContain(ProxyConfigBuilder.Build(catalog, DefaultPolicy).Routes, r => r.RouteId == ProxyConfigBuilder.AcmeChallengeRouteId);
        Assert.DoesNotContain(ProxyConfigBuilder.Build(catalog, DefaultPolicy, new AcmeOptions { StorageKeyFile = "/k" }).Routes,
            r => r.RouteId == ProxyConfigBuilder.AcmeChallengeRouteId);
    }

    [Fact]
    public void A_chain_becomes_yarp_transforms_in_order_after_the_routes_own_strip_prefix_and_its_gates_travel_in_metadata()
    {
        var route = Route("default", ["shop.test"], "/shop", strip: true) with
        {
            Chain =
            [
                new IpAllowMiddleware("office", ["10.1.0.0/16"]) { Owner = "tenant shop" },
                new HeadersMiddleware("sec", [new HeaderChange("X-Debug", HeaderAction.Remove, null), new HeaderChange("X-Team", HeaderAction.Set, "shop")],
                    [new HeaderChange("Server", HeaderAction.Remove, null), new HeaderChange("X-Frame-Options", HeaderAction.Append, "DENY")]),
                new StripPrefixMiddleware("api", ["/api", "/v1"]),
                new AddPrefixMiddleware("v2", "/v2"),
                new ReplacePathRegexMiddleware("users", "^/v2/u/(.*)", "/users/$1"),
                new InFlightMiddleware("busy", 5),
            ],
        };

        var built = Build(Service("shop", [route])).Routes.Single();

        Assert.Equal(
        [
            "PathRemovePrefix=/shop",
            "RequestHeaderRemove=X-Debug",
            "RequestHeader=X-Team Set=shop",
            "ResponseHeaderRemove=Server When=Always",
            "ResponseHeader=X-Frame-Options Append=DENY When=Always",
            "SwarmEdgeStripPrefixes=/api,/v1",
            "PathPrefix=/v2",
            "SwarmEdgePathRegex=^/v2/u/(.*) Replacement=/users/$1",
        ], built.Transforms!.Select(t => string.Join(' ', t.Select(kv => $"{kv.Key}={kv.Value}"))));
        var gates = System.Text.Json.JsonSerializer.Deserialize<Middleware[]>(built.Metadata![SwarmEdge.Proxy.Middlewares.RouteGatesMiddleware.GatesKey],
            new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))!;
        Assert.Equal([route.Chain[0], route.Chain[5]], gates);
    }

    [Fact]
    public void A_service_the_catalog_reused_keeps_its_routes_and_clusters_and_a_changed_one_gets_new_ones()
    {
        var web = Service("web", [Route("default", ["web"])], [Endpoint("t1", "10.0.1.1")]);
        var api = Service("api", [Route("default", ["api"])], [Endpoint("t2", "10.0.2.1")]);
        var first = ProxyConfigBuilder.Build(new ServiceCatalog([web, api]), DefaultPolicy);

        var movedApi = api with { Endpoints = [Endpoint("t3", "10.0.2.2")] };
        var second = ProxyConfigBuilder.Build(new ServiceCatalog([web, movedApi]), DefaultPolicy, previous: first);

        Assert.Same(first.Clusters[0], second.Clusters[0]);
        Assert.Same(first.Routes[0], second.Routes[0]);
        Assert.NotSame(first.Clusters[1], second.Clusters[1]);
        Assert.Equal(["t3"], second.Clusters[1].Destinations!.Keys);
        Assert.Equal(first.Routes[1], second.Routes[1]);

        // Another default policy is a new build of every cluster.
        var third = ProxyConfigBuilder.Build(new ServiceCatalog([web, movedApi]), "RoundRobin", previous: second);
        Assert.Equal("RoundRobin", third.Clusters[0].LoadBalancingPolicy);
    }
}
