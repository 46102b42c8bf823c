using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Net;
using SwarmEdge.Admin;
using SwarmEdge.Catalog;

namespace SwarmEdge.Tests.Admin;

public class AdminApiTests
{
    private static readonly DateTimeOffset ReadAt = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly HttpRoute ShopRoute = new("default", ["shop.example.com"], "/app", 10, true);

    private static readonly CatalogService Web = new(
        "svc-web", "web",
        new ServiceRouting(8080, null, null, [ShopRoute]), "net-a",
        [ShopRoute],
        [new TaskEndpoint("t1", "node-1", IPAddress.Parse("10.0.1.5"), 8080)],
        ["route 'beta' (host x, path /) is already served by other route 'default'; it is ignored: give it another host, path or priority"],
        ["label swarmedge.debug is not a SwarmEdge label and is ignored"],
        true);

    private static readonly CatalogService Api = new(
        "svc-api", "api", null, null, [], [], ["label swarmedge.http.port is missing: it names the port the service's tasks listen on"], [], false);

    private static readonly ServiceCatalog Catalog = new([Web, Api]);

    [Fact]
    public void Services_are_listed_by_name_with_their_routing_endpoints_and_problems()
    {
        var view = EdgeStatus.View.Starting with
        {
            Catalog = Catalog,
            ApplyErrors = ImmutableDictionary<string, ImmutableArray<string>>.Empty.Add("web", ["route web/default refused by the proxy: boom"]),
            Ready = true,
            LastReadAt = ReadAt,
            DockerEndpoint = "unix:///var/run/docker.sock",
            DnsErrors = ImmutableDictionary<string, string>.Empty.Add("web", "timed out"),
        };

        var document = AdminApi.Services(view);

        Assert.True(document.Ready);
        Assert.Equal(ReadAt, document.LastReadAt);
        Assert.Equal("unix:///var/run/docker.sock", document.DockerEndpoint);
        Assert.Null(document.DockerError);
        Assert.Equal(["api", "web"], document.Services.Select(s => s.Name));

        var api = document.Services[0];
        Assert.Equal("svc-api", api.Id);
        Assert.False(api.Routed);
        Assert.False(api.UsesLastGoodRouting);
        Assert.Null(api.Network);
        Assert.Null(api.Port);
        Assert.Empty(api.Routes);
        Assert.Empty(api.Endpoints);
        Assert.Equal(Api.Errors, api.Errors.ToArray());
        Assert.Null(api.DnsError);

        var web = document.Services[1];
        Assert.True(web.Routed);
        Assert.True(web.UsesLastGoodRouting);
        Assert.Equal("net-a", web.Network);
        Assert.Equal(8080, web.Port);
        var route = Assert.Single(web.Routes);
        Assert.Equal("web/default", route.Id);
        Assert.Equal(["shop.example.com"], route.Hosts);
        Assert.Equal("/app", route.Path);
        Assert.Equal(10, route.Priority);
        Assert.True(route.StripPrefix);
        Assert.Equal(new AdminApi.EndpointDocument("t1", "node-1", "10.0.1.5:8080", "http://10.0.1.5:8080/"), Assert.Single(web.Endpoints));
        Assert.Equal([Web.Errors[0], "route web/default refused by the proxy: boom"], web.Errors.ToArray());
        Assert.Equal(Web.Warnings, web.Warnings.ToArray());
        Assert.Equal("timed out", web.DnsError);
    }

    [Fact]
    public void Readiness_and_docker_errors_come_from_the_published_status()
    {
        var status = new EdgeStatus();

        var before = AdminApi.Services(status.Current);
        Assert.False(before.Ready);
        Assert.Null(before.LastReadAt);
        Assert.Null(before.DockerEndpoint);
        Assert.Empty(before.Services);

        status.Publish(status.Current with { Catalog = Catalog, DockerError = "connection refused", DockerEndpoint = "tcp://manager:2375" });
        var unread = AdminApi.Services(status.Current);
        Assert.False(unread.Ready);
        Assert.Equal("connection refused", unread.DockerError);
        Assert.Equal("tcp://manager:2375", unread.DockerEndpoint);
        Assert.Equal(2, unread.Services.Count);
    }

    [Fact]
    public void An_ipv6_endpoint_address_is_bracketed()
    {
        var v6 = Web with { Endpoints = [new TaskEndpoint("t6", "node-1", IPAddress.Parse("fd00::5"), 8080)] };
        var view = EdgeStatus.View.Starting with { Catalog = new ServiceCatalog([v6]) };

        var endpoint = Assert.Single(AdminApi.Services(view).Services[0].Endpoints);

        Assert.Equal("[fd00::5]:8080", endpoint.Address);
        Assert.Equal("http://[fd00::5]:8080/", endpoint.Url);
    }
}
