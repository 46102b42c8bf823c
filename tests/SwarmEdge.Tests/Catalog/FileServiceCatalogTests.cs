using System.Net;
using SwarmEdge.Catalog;
using SwarmEdge.Discovery;
using static SwarmEdge.Tests.TestData;

namespace SwarmEdge.Tests.Catalog;

/// <summary>Services of the routes file in the catalog, beside the swarm's: their endpoints, their tenant, their claims.</summary>
public class FileServiceCatalogTests
{
    private static OptedInService FileService(string yamlLabels, string addresses = "[10.0.5.21, 10.0.5.20]")
    {
        var read = RoutesFile.Parse($"services:\n  erp:\n    addresses: {addresses}\n    labels:\n{yamlLabels}");
        Assert.Null(read.Error);
        return Assert.Single(read.Services);
    }

    private static ServiceCatalog Build(params OptedInService[] services) =>
        CatalogBuilder.Build(Snapshot(services, [TaskAt("t1", "svc-web", "10.0.1.1")]), ServiceCatalog.Empty, ["edge"], policy: OpenPolicy);

    [Fact]
    public void A_file_service_is_routed_to_its_addresses_on_its_port_whatever_the_shared_networks()
    {
        var catalog = Build(FileService("      swarmedge.http.port: \"8080\"\n      swarmedge.http.host: erp.test\n"));

        var erp = Assert.Single(catalog.Services);
        Assert.True(erp.IsRouted);
        Assert.Empty(erp.Errors);
        Assert.Equal(RoutesFile.Network, erp.NetworkId);
        Assert.Equal(
            [new TaskEndpoint("erp@file/10.0.5.20", "", IPAddress.Parse("10.0.5.20"), 8080), new TaskEndpoint("erp@file/10.0.5.21", "", IPAddress.Parse("10.0.5.21"), 8080)],
            erp.Endpoints.ToArray());
    }

    [Fact]
    public void The_file_claims_its_hosts_before_any_swarm_service()
    {
        var web = Service("web", Routed(("swarmedge.http.host", "erp.test")), createdAt: new DateTime(2020, 1, 1));

        var catalog = Build(web, FileService("      swarmedge.http.port: \"8080\"\n      swarmedge.http.host: erp.test\n"));

        Assert.Single(catalog.Services.Single(s => s.Name == "erp@file").Routes);
        var swarm = catalog.Services.Single(s => s.Name == "web");
        Assert.Empty(swarm.Routes);
        Assert.Contains(swarm.Errors, e => e.Contains("host erp.test overlaps a host of erp@file route 'default' (the routes file), which claimed it first", StringComparison.Ordinal));
    }

    [Fact]
    public void No_label_joins_the_file_s_tenant_so_its_middlewares_stay_its_own()
    {
        var file = FileService("""
                  swarmedge.http.port: "8080"
                  swarmedge.http.host: erp.test
                  swarmedge.http.middlewares: office
                  swarmedge.middlewares.office.ip-allow.source-range: 10.0.0.0/8

            """);
        // A swarm service claiming the file's tenant by every label it could: the stack namespace, the name.
        var intruder = Service("intruder", Routed(
            ("com.docker.stack.namespace", "@file"),
            ("swarmedge.http.host", "intruder.test"),
            ("swarmedge.http.middlewares", "office")));

        var catalog = Build(file, intruder);

        Assert.Equal(["office"], catalog.Services.Single(s => s.Name == "erp@file").Routes.Single().Chain.Select(m => m.Name));
        var refused = catalog.Services.Single(s => s.Name == "intruder");
        Assert.Empty(refused.Routes);
        Assert.Contains(refused.Errors, e => e.Contains("middleware 'office' is not declared", StringComparison.Ordinal));
    }

    [Fact]
    public void A_host_grant_may_name_the_file_and_no_stack_of_that_name_shares_it()
    {
        var policy = OpenPolicy with { AllowedHosts = [new HostGrant("*.internal.test", ["@file"])] };
        var file = FileService("      swarmedge.http.port: \"8080\"\n      swarmedge.http.host: erp.internal.test\n");
        var stack = Service("web", Routed(("com.docker.stack.namespace", "@file"), ("swarmedge.http.host", "web.internal.test")));

        var catalog = CatalogBuilder.Build(Snapshot([file, stack]), ServiceCatalog.Empty, ["edge"], policy: policy);

        Assert.Single(catalog.Services.Single(s => s.Name == "erp@file").Routes);
        Assert.Empty(catalog.Services.Single(s => s.Name == "web").Routes);
    }

    [Fact]
    public void Any_route_may_use_a_shared_middleware_of_the_file_by_name_at_file_and_only_so()
    {
        var read = RoutesFile.Parse("""
            middlewares:
              secure:
                headers.response.set.X-Frame-Options: DENY
            services:
              erp:
                addresses: [10.0.5.20]
                labels:
                  swarmedge.http.port: "8080"
                  swarmedge.http.host: erp.test
                  swarmedge.http.middlewares: secure@file,backend-key
                  swarmedge.middlewares.backend-key.headers.request.set.Authorization: Bearer the-erp-s-key
            """);
        Assert.Null(read.Error);
        var web = Service("web", Routed(("com.docker.stack.namespace", "shop"), ("swarmedge.http.host", "web.test"), ("swarmedge.http.middlewares", "secure@file")));
        var plain = Service("plain", Routed(("com.docker.stack.namespace", "shop"), ("swarmedge.http.host", "plain.test"), ("swarmedge.http.middlewares", "secure")));
        // A team that names the file's own service's middleware, to have the key it adds sent to its own tasks.
        var thief = Service("thief", Routed(("swarmedge.http.host", "thief.test"), ("swarmedge.http.middlewares", "backend-key@file")));

        var catalog = Build([.. read.Services, web, plain, thief]);

        var chain = catalog.Services.Single(s => s.Name == "web").Routes.Single().Chain;
        Assert.Equal(new HeadersMiddleware("secure", [], [new HeaderChange("X-Frame-Options", HeaderAction.Set, "DENY")]) { Owner = MiddlewareDeclarations.OwnerOf(RoutingPolicy.SharedFileTenant) }, Assert.Single(chain));
        Assert.Equal(["secure", "backend-key"], catalog.Services.Single(s => s.Name == "erp@file").Routes.Single().Chain.Select(m => m.Name));
        Assert.Empty(catalog.Services.Single(s => s.Name == "plain").Routes);
        var refused = catalog.Services.Single(s => s.Name == "thief");
        Assert.Empty(refused.Routes);
        Assert.Contains(refused.Errors, e => e.Contains("middleware 'backend-key@file' is not declared by any service of the routes file's shared middlewares", StringComparison.Ordinal));
    }
}
