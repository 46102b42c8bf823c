using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;
using SwarmEdge.Catalog;
using SwarmEdge.Proxy;
using static SwarmEdge.Tests.TestData;

namespace SwarmEdge.Tests.Catalog;

public class StickySessionsTests
{
    [Fact]
    public void Sticky_sessions_by_label_default_to_a_cookie_of_the_service_lax_and_as_secure_as_the_request()
    {
        var routing = ServiceLabelParser.Parse(Routed(("swarmedge.http.host", "shop.test"), ("swarmedge.http.sticky", "true"))).Routing!;

        Assert.Equal(new StickySessions("", "Lax", null), routing.Sticky);
    }

    [Fact]
    public void The_cookie_samesite_and_secure_can_be_set()
    {
        var routing = ServiceLabelParser.Parse(Routed(("swarmedge.http.host", "shop.test"), ("swarmedge.http.sticky", "true"),
            ("swarmedge.http.sticky.cookie", "shop_session"), ("swarmedge.http.sticky.samesite", "Strict"), ("swarmedge.http.sticky.secure", "true"))).Routing!;

        Assert.Equal(new StickySessions("shop_session", "Strict", true), routing.Sticky);
    }

    [Theory]
    [InlineData("swarmedge.http.sticky", "yes", "must be true or false")]
    [InlineData("swarmedge.http.sticky.cookie", "a;b=c", "must be a cookie name")]
    [InlineData("swarmedge.http.sticky.samesite", "sometimes", "must be lax, strict or none")]
    public void A_broken_sticky_label_is_an_error(string key, string value, string error)
    {
        var result = ServiceLabelParser.Parse(Routed(("swarmedge.http.host", "shop.test"), ("swarmedge.http.sticky", "true"), (key, value)));

        Assert.Null(result.Routing);
        Assert.Contains(result.Errors, e => e.Contains(error, StringComparison.Ordinal));
    }

    [Fact]
    public void Sticky_options_without_sticky_are_a_warning()
    {
        var result = ServiceLabelParser.Parse(Routed(("swarmedge.http.host", "shop.test"), ("swarmedge.http.sticky.cookie", "x")));

        Assert.Null(result.Routing!.Sticky);
        Assert.Contains("label swarmedge.http.sticky.cookie has no effect without swarmedge.http.sticky=true", result.Warnings);
    }

    [Fact]
    public void The_cluster_gets_yarp_session_affinity_by_a_hash_of_the_task_that_moves_a_departed_tasks_clients()
    {
        var route = new HttpRoute("default", ["shop.test"], null, null, false);
        var service = new CatalogService("svc-shop", "shop_web", new ServiceRouting(8080, null, null, [route], Sticky: new StickySessions("", "Lax", null)), "net-a",
            [route], [], [], [], false);

        var affinity = ProxyConfigBuilder.Build(new ServiceCatalog([service]), "PowerOfTwoChoices").Clusters.Single().SessionAffinity!;

        Assert.Equal((true, "HashCookie", "Redistribute", "swarmedge_shop_web"), (affinity.Enabled == true, affinity.Policy, affinity.FailurePolicy, affinity.AffinityKeyName));
        Assert.Equal((true, SameSiteMode.Lax, CookieSecurePolicy.SameAsRequest), (affinity.Cookie!.HttpOnly == true, affinity.Cookie.SameSite, affinity.Cookie.SecurePolicy));
    }
}
