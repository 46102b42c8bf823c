using System.Collections.Immutable;
using SwarmEdge.Catalog;

namespace SwarmEdge.Tests;

public class EquatableArrayTests
{
    [Fact]
    public void Records_holding_them_compare_by_items_and_entries()
    {
        var route = new HttpRoute("default", ["shop.test", "www.shop.test"], "/cart", null, false);

        Assert.Equal(route, route with { Hosts = ImmutableArray.Create("shop.test", "www.shop.test") });
        Assert.Equal(route.GetHashCode(), (route with { Hosts = ["shop.test", "www.shop.test"] }).GetHashCode());
        Assert.NotEqual(route, route with { Hosts = ["www.shop.test", "shop.test"] });
        Assert.NotEqual(route, route with { Hosts = ["shop.test"] });
    }

    [Fact]
    public void The_default_is_the_empty_array()
    {
        EquatableArray<string> none = default;

        Assert.Equal(EquatableArray<string>.Empty, none);
        Assert.Equal([], none);
        Assert.True(none.IsEmpty);
        Assert.Equal(new TcpRoute(5432, 15432), new TcpRoute(5432, 15432, Sni: []));
    }

    [Fact]
    public void Dictionaries_compare_by_entries_whatever_their_order()
    {
        EquatableDictionary<string, string> a = ImmutableDictionary<string, string>.Empty.Add("swarmedge.enable", "true").Add("swarmedge.http.port", "80");
        EquatableDictionary<string, string> b = ImmutableDictionary<string, string>.Empty.Add("swarmedge.http.port", "80").Add("swarmedge.enable", "true");

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, b.SetItem("swarmedge.http.port", "8080"));
        Assert.Equal(default(EquatableDictionary<string, string>), ImmutableDictionary<string, string>.Empty);
    }
}
