using System.Collections.Immutable;
using System.Net;
using SwarmEdge.Catalog;
using SwarmEdge.Discovery;
using SwarmEdge.Proxy.Tcp;
using static SwarmEdge.Tests.TestData;

namespace SwarmEdge.Tests.Catalog;

/// <summary>swarmedge.tcp.* labels, through the parser and the catalog builder, to the TCP route table.</summary>
public class TcpRoutingTests
{
    private static ImmutableDictionary<string, string> Tcp(params (string Key, string Value)[] more) =>
        Labels(("swarmedge.enable", "true"), ("swarmedge.tcp.port", "5432"), ("swarmedge.tcp.entrypoint", "15432"))
            .SetItems(more.Select(l => KeyValuePair.Create(l.Key, l.Value)));

    [Fact]
    public void A_tcp_only_service_needs_no_http_port()
    {
        var result = ServiceLabelParser.Parse(Tcp());

        Assert.Empty(result.Errors);
        Assert.Empty(result.Warnings);
        Assert.Null(result.Routing!.HttpPort);
        Assert.Empty(result.Routing.Routes);
        Assert.Equal([new TcpRoute(5432, 15432)], result.Routing.TcpRoutes.ToArray());
    }

    [Fact]
    public void A_service_can_be_both_http_and_tcp()
    {
        var result = ServiceLabelParser.Parse(Tcp(("swarmedge.http.port", "8080")));

        Assert.Equal(8080, result.Routing!.HttpPort);
        Assert.Equal([new TcpRoute(5432, 15432)], result.Routing.TcpRoutes.ToArray());
        Assert.True(result.Routing.Routes.Single().ByServiceName);
    }

    [Fact]
    public void Http_labels_on_a_tcp_only_service_are_warned_about()
    {
        var result = ServiceLabelParser.Parse(Tcp(("swarmedge.http.host", "db.example.com")));

        Assert.Empty(result.Errors);
        Assert.Equal(["label swarmedge.http.host has no effect without swarmedge.http.port"], result.Warnings.ToArray());
    }

    [Theory]
    [InlineData("swarmedge.tcp.port", "label swarmedge.tcp.entrypoint is missing: it names the edge port whose connections go to swarmedge.tcp.port")]
    [InlineData("swarmedge.tcp.entrypoint", "label swarmedge.tcp.port is missing: it names the port the service's tasks accept connections on")]
    public void Tcp_port_and_entrypoint_come_together(string only, string error)
    {
        var labels = Labels(("swarmedge.enable", "true"), (only, "5432"));

        Assert.Equal([error], ServiceLabelParser.Parse(labels).Errors.ToArray());
        Assert.Null(ServiceLabelParser.Parse(labels).Routing);
    }

    [Theory]
    [InlineData("swarmedge.tcp.port", "postgres")]
    [InlineData("swarmedge.tcp.port", "0")]
    [InlineData("swarmedge.tcp.entrypoint", "70000")]
    public void Bad_tcp_port_is_an_error_naming_label_and_value(string key, string value)
    {
        var result = ServiceLabelParser.Parse(Tcp((key, value)));

        Assert.Equal([$"label {key}=\"{value}\": must be a port number from 1 to 65535"], result.Errors.ToArray());
    }

    [Fact]
    public void An_entrypoint_swarmedge_does_not_listen_on_is_an_error_and_no_tcp_route()
    {
        var catalog = CatalogBuilder.Build(Snapshot([Service("db", Tcp())]), ServiceCatalog.Empty, [], [5432]);

        var db = Assert.Single(catalog.Services);
        Assert.Empty(db.TcpRoutes);
        Assert.Equal(["label swarmedge.tcp.entrypoint=\"15432\": SwarmEdge does not listen on that port (SwarmEdge:Tcp:Entrypoints is 5432)"],
            db.Errors.ToArray());
        Assert.Empty(TcpRouteTable.Build(catalog));
    }

    [Fact]
    public void The_older_service_keeps_a_contested_entrypoint()
    {
        var old = Service("db-old", Tcp(), createdAt: Jan1);
        var young = Service("db-new", Tcp(), createdAt: Jan1.AddDays(1));
        var tasks = new[] { TaskAt("o1", "svc-db-old", "10.0.1.1"), TaskAt("n1", "svc-db-new", "10.0.1.2") };

        var catalog = CatalogBuilder.Build(Snapshot([young, old], tasks), ServiceCatalog.Empty, [], [15432]);

        Assert.Equal([new TcpRoute(5432, 15432)], catalog.Services.Single(s => s.Name == "db-old").TcpRoutes.ToArray());
        var loser = catalog.Services.Single(s => s.Name == "db-new");
        Assert.Empty(loser.TcpRoutes);
        Assert.Equal(["TCP entrypoint 15432 is already served by db-old; ignored: choose another entrypoint"], loser.Errors.ToArray());

        var table = TcpRouteTable.Build(catalog);
        var target = Assert.Single(table).Value.Plain!;
        Assert.Equal("db-old", target.Service);
        Assert.Equal([new TcpEndpoint("o1", new IPEndPoint(IPAddress.Parse("10.0.1.1"), 5432), "node-1")], target.Endpoints.ToArray());
    }

    [Fact]
    public void The_route_table_uses_the_tcp_port_even_when_the_service_also_speaks_http()
    {
        var both = Service("api", Tcp(("swarmedge.http.port", "8080")));
        var catalog = CatalogBuilder.Build(Snapshot([both], [TaskAt("a1", "svc-api", "10.0.1.7")]), ServiceCatalog.Empty, [], [15432]);

        var service = Assert.Single(catalog.Services);
        Assert.Equal(8080, Assert.Single(service.Endpoints).Port);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.0.1.7"), 5432), TcpRouteTable.Build(catalog)[15432].Plain!.Endpoints.Single().Address);
    }

    [Fact]
    public void A_tcp_only_service_has_no_http_cluster()
    {
        var catalog = CatalogBuilder.Build(Snapshot([Service("db", Tcp())], [TaskAt("d1", "svc-db", "10.0.1.3")]), ServiceCatalog.Empty, [], [15432]);

        var config = SwarmEdge.Proxy.ProxyConfigBuilder.Build(catalog, "PowerOfTwoChoices");

        Assert.Empty(config.Clusters);
        Assert.Empty(config.Routes);
        Assert.Equal(5432, Assert.Single(Assert.Single(catalog.Services).Endpoints).Port);
    }

    // ---- several TCP routes per service ----

    [Fact]
    public void Tcp_routers_add_routes_from_entrypoints_of_their_own_next_to_the_default_one()
    {
        var result = ServiceLabelParser.Parse(Tcp(
            ("swarmedge.tcp.routers.rpc.port", "7077"), ("swarmedge.tcp.routers.rpc.entrypoint", "17077"),
            ("swarmedge.tcp.routers.Rest.port", "6066"), ("swarmedge.tcp.routers.Rest.entrypoint", "16066")));

        Assert.Empty(result.Errors);
        Assert.Empty(result.Warnings);
        Assert.Equal(
            [new TcpRoute(5432, 15432), new TcpRoute(6066, 16066, "rest"), new TcpRoute(7077, 17077, "rpc")],
            result.Routing!.TcpRoutes.ToArray());
    }

    [Theory]
    [InlineData("swarmedge.tcp.routers.rpc.port", "label swarmedge.tcp.routers.rpc.entrypoint is missing: it names the edge port whose connections go to swarmedge.tcp.routers.rpc.port")]
    [InlineData("swarmedge.tcp.routers.rpc.entrypoint", "label swarmedge.tcp.routers.rpc.port is missing: it names the port the service's tasks accept connections on")]
    public void A_tcp_router_needs_port_and_entrypoint(string only, string error) =>
        Assert.Equal([error], ServiceLabelParser.Parse(Tcp((only, "7077"))).Errors.ToArray());

    [Fact]
    public void Two_tcp_routers_of_one_service_cannot_share_an_entrypoint()
    {
        var result = ServiceLabelParser.Parse(Tcp(("swarmedge.tcp.routers.rpc.port", "7077"), ("swarmedge.tcp.routers.rpc.entrypoint", "15432")));

        Assert.Equal(["TCP routers 'default', 'rpc' share entrypoint 15432: each router needs an entrypoint of its own, or SNI names (swarmedge.tcp.sni) that tell them apart"], result.Errors.ToArray());
        Assert.Null(result.Routing);
    }

    [Theory]
    [InlineData("swarmedge.tcp.routers.rpc.host", "x", "label swarmedge.tcp.routers.rpc.host=\"x\": unknown router key: a router takes port, entrypoint, sni")]
    [InlineData("swarmedge.tcp.routers.default.port", "1", "label swarmedge.tcp.routers.default.port=\"1\": router names use letters, digits, '-' and '_' and are not 'default'")]
    [InlineData("swarmedge.tcp.ports", "1", "label swarmedge.tcp.ports=\"1\": unknown TCP key: a service takes swarmedge.tcp.port, swarmedge.tcp.entrypoint, swarmedge.tcp.sni and swarmedge.tcp.routers.<name>.port/.entrypoint/.sni")]
    public void Bad_tcp_router_keys_are_errors(string key, string value, string error) =>
        Assert.Contains(error, ServiceLabelParser.Parse(Tcp((key, value))).Errors);

    [Fact]
    public void Each_tcp_route_claims_its_entrypoint_and_the_older_service_keeps_a_contested_one()
    {
        var spark = Service("spark", Labels(("swarmedge.enable", "true"),
            ("swarmedge.tcp.routers.rpc.port", "7077"), ("swarmedge.tcp.routers.rpc.entrypoint", "7077"),
            ("swarmedge.tcp.routers.rest.port", "6066"), ("swarmedge.tcp.routers.rest.entrypoint", "6066")), createdAt: Jan1);
        var rival = Service("rival", Labels(("swarmedge.enable", "true"), ("swarmedge.tcp.port", "7077"), ("swarmedge.tcp.entrypoint", "7077")),
            createdAt: Jan1.AddDays(1));
        var tasks = new[] { TaskAt("s1", "svc-spark", "10.0.1.1"), TaskAt("r1", "svc-rival", "10.0.1.2") };

        var catalog = CatalogBuilder.Build(Snapshot([rival, spark], tasks), ServiceCatalog.Empty, [], [6066, 7077]);

        Assert.Equal(2, catalog.Find("svc-spark")!.TcpRoutes.Length);
        Assert.Equal(["TCP entrypoint 7077 is already served by spark router 'rpc'; ignored: choose another entrypoint"],
            catalog.Find("svc-rival")!.Errors.ToArray());
        var table = TcpRouteTable.Build(catalog);
        Assert.Equal("spark/rpc", table[7077].Plain!.Service);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.0.1.1"), 7077), table[7077].Plain!.Endpoints.Single().Address);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.0.1.1"), 6066), table[6066].Plain!.Endpoints.Single().Address);
    }

    // ---- TLS passthrough by SNI ----

    private static ImmutableDictionary<string, string> Sni(string names, int port = 5432, int entrypoint = 15432) =>
        Labels(("swarmedge.enable", "true"), ("swarmedge.tcp.port", port.ToString()), ("swarmedge.tcp.entrypoint", entrypoint.ToString()),
            ("swarmedge.tcp.sni", names));

    [Fact]
    public void Services_share_an_entrypoint_by_tls_server_name_and_a_plain_route_takes_the_rest()
    {
        var db = Service("db", Sni("db.example.com"), createdAt: Jan1);
        var echo = Service("echo", Sni("*.echo.example.com", port: 7443), createdAt: Jan1.AddDays(1));
        var plain = Service("plain", Tcp(("swarmedge.tcp.port", "7000")), createdAt: Jan1.AddDays(2));
        var tasks = new[] { TaskAt("d1", "svc-db", "10.0.1.1"), TaskAt("e1", "svc-echo", "10.0.1.2"), TaskAt("p1", "svc-plain", "10.0.1.3") };

        var catalog = CatalogBuilder.Build(Snapshot([db, echo, plain], tasks), ServiceCatalog.Empty, [], [15432]);

        Assert.All(catalog.Services, s => Assert.Empty(s.Errors));
        var routes = TcpRouteTable.Build(catalog)[15432];
        Assert.Equal("db", routes.Find("db.example.com")!.Service);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.0.1.2"), 7443), routes.Find("a.echo.example.com")!.Endpoints.Single().Address);
        Assert.Equal("plain", routes.Find("a.b.echo.example.com")!.Service); // a wildcard covers one label
        Assert.Equal("plain", routes.Find(null)!.Service); // not TLS, or no server name
        Assert.Equal("plain", routes.Find("other.example.com")!.Service);
    }

    [Fact]
    public void A_server_name_belongs_to_the_tenant_that_claimed_it_first_on_its_entrypoint()
    {
        var db = Service("db", Sni("db.example.com"), createdAt: Jan1);
        var thief = Service("thief", Sni("*.example.com"), createdAt: Jan1.AddDays(1));

        var catalog = CatalogBuilder.Build(Snapshot([db, thief]), ServiceCatalog.Empty, [], [15432]);

        Assert.Empty(catalog.Find("svc-thief")!.TcpRoutes);
        Assert.Equal(["TCP router 'default': SNI *.example.com on entrypoint 15432 overlaps db router 'default' (service db), which claimed it first; it is ignored"],
            catalog.Find("svc-thief")!.Errors.ToArray());
    }

    [Fact]
    public void Routers_of_one_service_share_an_entrypoint_only_with_distinct_server_names()
    {
        var ok = ServiceLabelParser.Parse(Sni("a.example.com").SetItems([
            KeyValuePair.Create("swarmedge.tcp.routers.b.port", "6000"), KeyValuePair.Create("swarmedge.tcp.routers.b.entrypoint", "15432"),
            KeyValuePair.Create("swarmedge.tcp.routers.b.sni", "b.example.com")]));
        Assert.Empty(ok.Errors);
        Assert.Equal(2, ok.Routing!.TcpRoutes.Length);

        var clash = ServiceLabelParser.Parse(Sni("a.example.com").SetItems([
            KeyValuePair.Create("swarmedge.tcp.routers.b.port", "6000"), KeyValuePair.Create("swarmedge.tcp.routers.b.entrypoint", "15432")]));
        Assert.Contains("share entrypoint 15432", Assert.Single(clash.Errors));
    }
}
