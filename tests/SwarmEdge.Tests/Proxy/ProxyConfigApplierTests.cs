using System.Collections.Frozen;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SwarmEdge.Catalog;
using SwarmEdge.Discovery;
using SwarmEdge.Proxy;
using Yarp.ReverseProxy.Configuration;
using static SwarmEdge.Tests.TestData;

namespace SwarmEdge.Tests.Proxy;

/// <summary>The applier against YARP's real in-memory provider and config validator.</summary>
public sealed class ProxyConfigApplierTests : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly InMemoryConfigProvider _provider;
    private readonly ProxyConfigApplier _applier;

    public ProxyConfigApplierTests() : this(new SwarmEdgeOptions())
    {
    }

    private ProxyConfigApplierTests(SwarmEdgeOptions options)
    {
        _services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(Options.Create(options))
            .AddSwarmEdgeProxy()
            .BuildServiceProvider();
        _provider = _services.GetRequiredService<InMemoryConfigProvider>();
        _applier = _services.GetRequiredService<ProxyConfigApplier>();
    }

    public void Dispose() => _services.Dispose();

    private static readonly OptedInService Web = Service("web", Routed(
        ("swarmedge.http.host", "web.example.com"),
        ("swarmedge.http.path", "/app"),
        ("swarmedge.http.strip-prefix", "true")));

    private static ServiceCatalog Catalog(IEnumerable<OptedInService> services, params SwarmTask[] tasks) =>
        CatalogBuilder.Build(Snapshot(services, tasks), ServiceCatalog.Empty, [], policy: OpenPolicy);

    /// <summary>
    /// The catalog plus a service whose route YARP refuses: a punycode host (YARP wants the Unicode name).
    /// The label parser refuses punycode too, so the route is made by hand: the applier is the last guard.
    /// </summary>
    private static ServiceCatalog WithRefusedRoute(ServiceCatalog catalog)
    {
        var route = new HttpRoute("default", ["xn--bcher-kva.example"], null, null, false);
        var bad = new CatalogService("svc-bad", "bad", new ServiceRouting(80, null, null, [route]), "net-a", [route],
            [new TaskEndpoint("b1", "node-1", System.Net.IPAddress.Parse("10.0.1.9"), 80)], [], [], false);
        return catalog with { Services = catalog.Services.Add(bad) };
    }

    [Fact]
    public async Task Applying_an_unchanged_catalog_again_changes_nothing()
    {
        var tasks = new[] { TaskAt("t1", "svc-web", "10.0.1.1"), TaskAt("t2", "svc-web", "10.0.1.2") };

        Assert.True((await _applier.ApplyAsync(Catalog([Web], tasks))).Changed);
        var applied = _provider.GetConfig();

        // A catalog built anew from the same observations: equal, not the same objects.
        var again = await _applier.ApplyAsync(Catalog([Web], tasks));
        Assert.False(again.Changed);
        Assert.Empty(again.Errors);
        Assert.Empty(again.DepartedTasks);

        Assert.Same(applied, _provider.GetConfig());
        Assert.False(applied.ChangeToken.HasChanged);
        Assert.Equal(["web/default"], applied.Routes.Select(r => r.RouteId));
        Assert.Equal(["t1", "t2"], Assert.Single(applied.Clusters).Destinations!.Keys.Order());
    }

    [Fact]
    public async Task An_empty_catalog_on_a_fresh_proxy_changes_nothing()
    {
        var initial = _provider.GetConfig();

        Assert.False((await _applier.ApplyAsync(ServiceCatalog.Empty)).Changed);

        Assert.Same(initial, _provider.GetConfig());
    }

    [Fact]
    public async Task A_changed_endpoint_set_is_applied()
    {
        Assert.True((await _applier.ApplyAsync(Catalog([Web], TaskAt("t1", "svc-web", "10.0.1.1"), TaskAt("t2", "svc-web", "10.0.1.2")))).Changed);
        var before = _provider.GetConfig();

        var result = await _applier.ApplyAsync(Catalog([Web], TaskAt("t1", "svc-web", "10.0.1.1"), TaskAt("t3", "svc-web", "10.0.1.3")));

        Assert.True(result.Changed);
        Assert.Equal(("web", "t2"), Assert.Single(result.DepartedTasks));
        Assert.True(before.ChangeToken.HasChanged);
        var after = _provider.GetConfig();
        Assert.NotSame(before, after);
        var destinations = Assert.Single(after.Clusters).Destinations!;
        Assert.Equal(["t1", "t3"], destinations.Keys.Order().ToArray());
        Assert.Equal("http://10.0.1.3:8080/", destinations["t3"].Address);
        Assert.Equal(before.Routes, after.Routes.ToArray());
    }

    [Fact]
    public async Task A_route_yarp_refuses_is_dropped_and_reported_while_other_routes_stay()
    {
        var catalog = WithRefusedRoute(Catalog([Web], TaskAt("t1", "svc-web", "10.0.1.1")));

        var result = await _applier.ApplyAsync(catalog);

        Assert.True(result.Changed);
        var config = _provider.GetConfig();
        Assert.Equal(["web/default"], config.Routes.Select(r => r.RouteId));
        var error = Assert.Single(result.Errors["bad"]);
        Assert.StartsWith("route bad/default refused by the proxy: ", error, StringComparison.Ordinal);
        Assert.Contains("xn--bcher-kva.example", error, StringComparison.Ordinal);
        Assert.False(result.Errors.ContainsKey("web"));
    }

    [Fact]
    public async Task A_cluster_yarp_refuses_is_dropped_with_its_routes_and_reported()
    {
        var web = Catalog([Web], TaskAt("t1", "svc-web", "10.0.1.1")).Services[0];
        HttpRoute[] routes = [new("default", ["odd.example.com"], null, null, false)];
        var odd = new CatalogService("svc-odd", "odd", new ServiceRouting(8080, null, "NoSuchPolicy", [.. routes]), "net-a",
            [.. routes], [], [], [], false);

        var result = await _applier.ApplyAsync(new ServiceCatalog([web, odd]));

        var config = _provider.GetConfig();
        Assert.Equal(["web"], config.Clusters.Select(c => c.ClusterId));
        Assert.Equal(["web/default"], config.Routes.Select(r => r.RouteId));
        var error = Assert.Single(result.Errors["odd"]);
        Assert.StartsWith("cluster refused by the proxy: ", error, StringComparison.Ordinal);
        Assert.Contains("NoSuchPolicy", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Errors_clear_once_the_refused_route_is_gone()
    {
        Assert.True((await _applier.ApplyAsync(WithRefusedRoute(Catalog([Web])))).Errors.ContainsKey("bad"));

        Assert.Empty((await _applier.ApplyAsync(Catalog([Web]))).Errors);
    }

    [Fact]
    public async Task The_configured_default_policy_applies_to_services_without_a_policy_label()
    {
        using var tests = new ProxyConfigApplierTests(new SwarmEdgeOptions { Proxy = new ProxyOptions { LoadBalancingPolicy = "RoundRobin" } });

        await tests._applier.ApplyAsync(Catalog([Web]));

        Assert.Equal("RoundRobin", Assert.Single(tests._provider.GetConfig().Clusters).LoadBalancingPolicy);
    }

    [Fact]
    public async Task Services_whose_names_differ_only_in_case_do_not_block_the_update()
    {
        // YARP refuses a whole update with IDs equal ignoring case; only the second one is refused here.
        var route = new HttpRoute("default", ["other.example.com"], null, null, false);
        var upper = new CatalogService("svc-WEB", "WEB", new ServiceRouting(80, null, null, [route]), "net-a", [route], [], [], [], false);
        var catalog = Catalog([Web], TaskAt("t1", "svc-web", "10.0.1.1"));

        var result = await _applier.ApplyAsync(catalog with { Services = catalog.Services.Add(upper) });

        Assert.True(result.Changed);
        var config = _provider.GetConfig();
        Assert.Equal(["web"], config.Clusters.Select(c => c.ClusterId));
        Assert.Equal(["web/default"], config.Routes.Select(r => r.RouteId));
        Assert.Equal(["cluster refused by the proxy: another service is named WEB when case is ignored"], result.Errors["WEB"].ToArray());
    }

    [Fact]
    public async Task A_refused_cluster_on_a_routers_own_port_is_reported_against_its_service()
    {
        // The second port's cluster is "odd:9000": its error belongs to the service the admin API shows, odd.
        HttpRoute[] routes = [new("default", ["odd.example.com"], null, null, false), new("ui", ["ui.odd.example.com"], null, null, false, Port: 9000)];
        var odd = new CatalogService("svc-odd", "odd", new ServiceRouting(8080, null, "NoSuchPolicy", [.. routes]), "net-a",
            [.. routes], [new TaskEndpoint("o1", "node-1", System.Net.IPAddress.Parse("10.0.1.7"), 8080)], [], [], false);

        var result = await _applier.ApplyAsync(new ServiceCatalog([odd]));

        Assert.Equal(["odd"], result.Errors.Keys);
        Assert.Equal(2, result.Errors["odd"].Length);
        Assert.All(result.Errors["odd"], e => Assert.StartsWith("cluster refused by the proxy: ", e, StringComparison.Ordinal));
    }
}
