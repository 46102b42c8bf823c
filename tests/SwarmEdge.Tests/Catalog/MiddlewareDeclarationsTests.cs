using SwarmEdge.Catalog;
using SwarmEdge.Discovery;
using static SwarmEdge.Tests.TestData;

namespace SwarmEdge.Tests.Catalog;

/// <summary>
/// Middlewares are declared by services and used by routes of the same tenant only: what a team can and cannot
/// do to another team's chain, and what happens when a declaration breaks or leaves.
/// </summary>
public class MiddlewareDeclarationsTests
{
    private const string Namespace = RoutingPolicy.StackNamespaceLabel;

    private static OptedInService Shop(string name, DateTime created, params (string Key, string Value)[] labels) =>
        Service(name, Routed([(Namespace, "shop"), .. labels]), createdAt: created);

    private static readonly (string, string)[] OfficeOnly = [("swarmedge.middlewares.office.ip-allow.source-range", "10.1.0.0/16")];

    private static ServiceCatalog Build(ServiceCatalog previous, params OptedInService[] services) =>
        CatalogBuilder.Build(Snapshot(services), previous, [], policy: OpenPolicy);

    private static CatalogService Named(ServiceCatalog catalog, string name) => catalog.Services.Single(s => s.Name == name);

    [Fact]
    public void A_route_uses_a_middleware_another_service_of_its_stack_declares_even_a_newer_one()
    {
        var web = Shop("shop_web", Jan1, ("swarmedge.http.host", "shop.test"), ("swarmedge.http.middlewares", "office"));
        var auth = Service("shop_auth", Labels(("swarmedge.enable", "true"), (Namespace, "shop"), OfficeOnly[0]), createdAt: Jan1.AddDays(1));

        var catalog = Build(ServiceCatalog.Empty, web, auth);

        var route = Assert.Single(Named(catalog, "shop_web").Routes);
        Assert.Equal([new IpAllowMiddleware("office", ["10.1.0.0/16"]) { Owner = "tenant shop" }], route.Chain.ToArray());
        Assert.Empty(Named(catalog, "shop_auth").Errors);
        Assert.Empty(Named(catalog, "shop_auth").Routes);
    }

    [Fact]
    public void Another_tenants_middleware_of_the_same_name_is_not_used_and_the_route_is_not_served_without_it()
    {
        // The attacker declares "office" first, allowing everyone, hoping the victim's route picks it up.
        var evil = Service("evil_app", Routed((Namespace, "evil"), ("swarmedge.http.host", "evil.test"),
            ("swarmedge.middlewares.office.ip-allow.source-range", "0.0.0.0/0")), createdAt: Jan1);
        var web = Shop("shop_web", Jan1.AddDays(1), ("swarmedge.http.host", "shop.test"), ("swarmedge.http.middlewares", "office"));

        var catalog = Build(ServiceCatalog.Empty, evil, web);

        var victim = Named(catalog, "shop_web");
        Assert.Empty(victim.Routes);
        Assert.Contains(victim.Errors, e => e.StartsWith("route 'default': middleware 'office' is not declared by any service of stack shop", StringComparison.Ordinal));
    }

    [Fact]
    public void Within_a_stack_the_oldest_declaration_holds_and_a_different_newer_one_is_an_error()
    {
        var first = Shop("shop_web", Jan1, [("swarmedge.http.host", "shop.test"), ("swarmedge.http.middlewares", "office"), .. OfficeOnly]);
        var second = Shop("shop_api", Jan1.AddDays(1), ("swarmedge.http.host", "api.shop.test"), ("swarmedge.http.middlewares", "office"),
            ("swarmedge.middlewares.office.ip-allow.source-range", "0.0.0.0/0"));

        var catalog = Build(ServiceCatalog.Empty, first, second);

        Assert.Equal(["10.1.0.0/16"], ((IpAllowMiddleware)Named(catalog, "shop_api").Routes.Single().Chain[0]).Ranges.ToArray());
        Assert.Contains(Named(catalog, "shop_api").Errors, e => e.StartsWith("middleware 'office' is declared differently by shop_web of stack shop", StringComparison.Ordinal));
    }

    [Fact]
    public void A_declaring_service_that_leaves_does_not_shorten_the_chains_that_used_it()
    {
        var web = Shop("shop_web", Jan1, ("swarmedge.http.host", "shop.test"), ("swarmedge.http.middlewares", "office"));
        var auth = Service("shop_auth", Labels(("swarmedge.enable", "true"), (Namespace, "shop"), OfficeOnly[0]), createdAt: Jan1);
        var before = Build(ServiceCatalog.Empty, web, auth);

        var after = Build(before, web);

        var route = Assert.Single(Named(after, "shop_web").Routes);
        Assert.Equal(Named(before, "shop_web").Routes.Single().Chain, route.Chain);
        Assert.Contains(Named(after, "shop_web").Errors, e => e.Contains("is no longer declared by a service of stack shop", StringComparison.Ordinal));
    }

    [Fact]
    public void A_broken_declaration_keeps_the_last_good_routing_with_its_chain()
    {
        var web = Shop("shop_web", Jan1, [("swarmedge.http.host", "shop.test"), ("swarmedge.http.middlewares", "office"), .. OfficeOnly]);
        var before = Build(ServiceCatalog.Empty, web);
        var broken = web with { Labels = web.Labels.SetItem("swarmedge.middlewares.office.ip-allow.source-range", "everyone") };

        var after = Build(before, broken);

        var service = Named(after, "shop_web");
        Assert.True(service.UsesLastGoodRouting);
        Assert.Equal(Named(before, "shop_web").Routes.Single().Chain, service.Routes.Single().Chain);
    }

    [Fact]
    public void A_service_without_a_tenant_shares_its_middlewares_with_no_one()
    {
        var lone = Service("lone", Routed([("swarmedge.http.host", "lone.test"), .. OfficeOnly]), createdAt: Jan1);
        var other = Service("other", Routed(("swarmedge.http.host", "other.test"), ("swarmedge.http.middlewares", "office")), createdAt: Jan1.AddDays(1));

        var catalog = Build(ServiceCatalog.Empty, lone, other);

        Assert.Empty(Named(catalog, "other").Routes);
        Assert.Contains(Named(catalog, "other").Errors, e => e.Contains("is not declared by any service of service other", StringComparison.Ordinal));
    }
}
