using SwarmEdge.Acme;
using SwarmEdge.Catalog;
using SwarmEdge.Discovery;
using static SwarmEdge.Tests.TestData;

namespace SwarmEdge.Tests.Acme;

public class AcmeHostsTests
{
    private static (string[] Hosts, string[] Skipped) Of(bool allRoutes, params OptedInService[] services)
    {
        var catalog = CatalogBuilder.Build(Snapshot(services), ServiceCatalog.Empty, [], policy: RoutingPolicy.Default);
        var (hosts, skipped) = AcmeHosts.Of(catalog, allRoutes);
        return ([.. hosts], [.. skipped.Select(s => $"{s.Host}: {s.Reason}")]);
    }

    [Fact]
    public void Routes_that_ask_for_it_get_certificates_for_their_hosts_without_port()
    {
        var shop = Service("shop", Routed(("swarmedge.http.host", "shop.test,www.shop.test:8443"), ("swarmedge.http.acme", "true")));
        var plain = Service("plain", Routed(("swarmedge.http.host", "plain.test")));

        Assert.Equal(["shop.test", "www.shop.test"], Of(false, shop, plain).Hosts);
    }

    [Fact]
    public void With_all_routes_on_a_route_opts_out_by_label_and_http_only_routes_are_left_out()
    {
        var shop = Service("shop", Routed(("swarmedge.http.host", "shop.test")));
        var optOut = Service("own", Routed(("swarmedge.http.host", "own.test"), ("swarmedge.http.acme", "false")));
        var httpOnly = Service("legacy", Routed(("swarmedge.http.host", "legacy.test"), ("swarmedge.http.scheme", "http")));
        var named = Service("api", Routed(("swarmedge.http.routers.v2.host", "api.test"), ("swarmedge.http.routers.v2.path", "/v2")));

        Assert.Equal(["api.test", "shop.test"], Of(true, shop, optOut, httpOnly, named).Hosts);
    }

    [Fact]
    public void A_wildcard_and_a_name_beyond_ascii_are_listed_apart_with_why()
    {
        var all = Service("all", Routed(("swarmedge.http.host", "*.apps.test,bücher.test"), ("swarmedge.http.acme", "true")));

        var (hosts, skipped) = Of(false, all);

        Assert.Empty(hosts);
        Assert.Equal(["*.apps.test: a wildcard needs a DNS-01 challenge: set SwarmEdge:Acme:DnsProvider on the issuer",
            "bücher.test: a name beyond ASCII would be ordered in its punycode form, which SwarmEdge does not do yet"], skipped);
    }

    [Fact]
    public void With_a_dns_provider_a_wildcard_is_ordered()
    {
        var all = Service("all", Routed(("swarmedge.http.host", "*.apps.test"), ("swarmedge.http.acme", "true")));
        var catalog = CatalogBuilder.Build(Snapshot([all]), ServiceCatalog.Empty, [], policy: RoutingPolicy.Default);

        Assert.Equal(["*.apps.test"], AcmeHosts.Of(catalog, allRoutes: false, wildcards: true).Hosts.ToArray());
    }

    [Fact]
    public void A_tenant_cannot_get_a_certificate_ordered_for_another_tenants_host()
    {
        // The catalog refuses the younger tenant's route on the host, so no order follows from its label.
        var victim = Service("shop_web", Routed(("swarmedge.http.host", "shop.test"), ("com.docker.stack.namespace", "shop")), createdAt: Jan1);
        var attacker = Service("evil_web", Routed(("swarmedge.http.host", "shop.test,evil.test"), ("swarmedge.http.acme", "true"),
            ("com.docker.stack.namespace", "evil")), createdAt: Jan1.AddDays(1));

        Assert.Empty(Of(false, victim, attacker).Hosts);
    }
}
