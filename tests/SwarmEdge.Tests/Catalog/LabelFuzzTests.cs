using System.Collections.Immutable;
using CsCheck;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SwarmEdge.Catalog;
using SwarmEdge.Discovery;
using SwarmEdge.Proxy;
using static SwarmEdge.Tests.TestData;

namespace SwarmEdge.Tests.Catalog;

/// <summary>
/// Random label sets, as a careless or hostile team could deploy them, fed to the parser, the catalog and YARP's
/// own validator (through the applier): never an exception, never a route for a service whose labels are
/// broken, never a route YARP refuses, and a service deployed before them keeps exactly what it had.
/// </summary>
public sealed class LabelFuzzTests : IDisposable
{
    private static readonly string[] Keys =
    [
        "swarmedge.enable", "swarmedge.http.port", "swarmedge.http.host", "swarmedge.http.path", "swarmedge.http.priority",
        "swarmedge.http.strip-prefix", "swarmedge.http.lb", "swarmedge.network", "swarmedge.http.retry.attempts",
        "swarmedge.http.retry.methods", "swarmedge.http.healthcheck.path", "swarmedge.http.healthcheck.interval",
        "swarmedge.http.healthcheck.timeout", "swarmedge.http.healthcheck.unhealthy-threshold", "swarmedge.http.stall-timeout",
        "swarmedge.http.max-body-size", "swarmedge.http.rate-limit", "swarmedge.tcp.port", "swarmedge.tcp.entrypoint",
        "swarmedge.http.routers.a.host", "swarmedge.http.routers.a.path", "swarmedge.http.routers.A.priority",
        "swarmedge.http.routers.b-2.strip-prefix", "swarmedge.http.routers..host", "swarmedge.http.routers.default.host",
        "swarmedge.http.routers.x.y.host", "swarmedge.http.routers.a.nope", "swarmedge.unknown", "com.docker.stack.namespace",
        "SWARMEDGE.ENABLE", "swarmedge.http.host ", "traefik.enable", "swarmedge.http.routers.a.port", "swarmedge.http.routers.ui.port",
        "swarmedge.http.routers.ui.host", "swarmedge.tcp.routers.r.port", "swarmedge.tcp.routers.r.entrypoint",
        "swarmedge.tcp.routers.s.entrypoint", "swarmedge.tcp.routers.R.port",
        "traefik.http.routers.t.rule", "traefik.http.routers.t.entrypoints", "traefik.http.routers.t.middlewares",
        "traefik.http.services.t.loadbalancer.server.port", "traefik.http.middlewares.m.stripprefix.prefixes",
        "traefik.http.middlewares.m.redirectscheme.scheme", "traefik.http.routers.t.tls",
    ];

    private static readonly string[] Values =
    [
        "true", "false", "True", "yes", "", " ", "0", "1", "80", "8080", "4040", "15432", "65535", "65536", "-1", "99999999999", "1e3",
        "shop.example.com", "SHOP.example.com", "*.example.com", "*", "*.*.com", "a..b", "-a.com", "xn--bcher-kva.example",
        "bücher.example", "a.com:8443", "a.com:99999", "a.com,b.com", "a.com,,b.com", "a b", "/", "/api", "/api/", "//x", "/a/{b}",
        "/a?b", "/a#b", "/%2e%2e/", "/a/**", "api", "100000", "100001", "-100000", "power-of-two-choices", "ROUND-ROBIN", "weighted",
        "GET,HEAD", "GET,,HEAD", "5s", "1m30s", "50ms", "2h", "10MB", "0/s", "100/s", "600/m", "edge", "net-b", "shop", "evil",
        new string('a', 300), "\u0000", "\u202e", "<script>", "$(reboot)",
        "Host(`anchor.example.com`)", "Host(`x.test`) || PathPrefix(`/`)", "PathPrefix(`/api`)", "!Host(`a`)", "((", "Host(`a`,`b`)",
        "websecure", "web,websecure", "m@docker", "m@file", "https",
    ];

    private static readonly string[] Hosts =
        ["anchor.example.com", "ANCHOR.example.com", "*.example.com", "*.com", "shop.example.com", "other.test", "anchor.example.com:80"];

    // A valid service (port and a host) most of the time, then up to 5 random labels on top.
    private static readonly Gen<ImmutableDictionary<string, string>> GenLabels =
        Gen.Select(Gen.OneOf(Hosts), Gen.Select(Gen.OneOf(Keys), Gen.OneOf(Values)).List[0, 5])
            .Select(sample => sample.Item2
                .Prepend(("swarmedge.http.host", sample.Item1))
                .Prepend(("swarmedge.http.port", "8080"))
                .Prepend(("swarmedge.enable", "true"))
                .GroupBy(p => p.Item1, StringComparer.Ordinal)
                .ToImmutableDictionary(g => g.Key, g => g.Last().Item2, StringComparer.Ordinal));

    // The same, labelled for Traefik (SwarmEdge:Discovery:TraefikLabels), half of the time.
    private static readonly Gen<ImmutableDictionary<string, string>> GenAnyLabels = Gen.OneOf(GenLabels,
        Gen.Select(Gen.OneOf(Hosts), Gen.Select(Gen.OneOf(Keys), Gen.OneOf(Values)).List[0, 5])
            .Select(sample => sample.Item2
                .Prepend(("traefik.http.routers.t.rule", $"Host(`{sample.Item1}`)"))
                .Prepend(("traefik.http.services.t.loadbalancer.server.port", "8080"))
                .Prepend(("traefik.enable", "true"))
                .Where(p => p.Item1 != "swarmedge.enable")
                .GroupBy(p => p.Item1, StringComparer.Ordinal)
                .ToImmutableDictionary(g => g.Key, g => g.Last().Item2, StringComparer.Ordinal)));

    private static readonly OptedInService Anchor = Service("anchor", Routed(("swarmedge.http.host", "anchor.example.com"), ("com.docker.stack.namespace", "anchor")), createdAt: Jan1);
    private static readonly SwarmTask AnchorTask = TaskAt("a1", "svc-anchor", "10.0.1.1");

    private readonly ServiceProvider _services = new ServiceCollection()
        .AddLogging()
        .AddSingleton(Options.Create(new SwarmEdgeOptions()))
        .AddSwarmEdgeProxy()
        .BuildServiceProvider();

    [Fact]
    public void The_parser_never_throws_and_a_service_with_errors_has_no_routing() =>
        GenAnyLabels.Sample(labels =>
        {
            var result = ServiceLabelParser.Parse(labels);
            return result.Errors.IsEmpty || result.Routing is null;
        }, iter: 5000);

    [Fact]
    public async Task Random_services_never_change_an_older_service_and_never_give_YARP_a_route_it_refuses()
    {
        var alone = CatalogBuilder.Build(Snapshot([Anchor], [AnchorTask]), ServiceCatalog.Empty, [], [15432], RoutingPolicy.Default).Find("svc-anchor")!;
        var applier = _services.GetRequiredService<ProxyConfigApplier>();
        var policies = new[] { RoutingPolicy.Default, OpenPolicy };
        var withRoutes = 0;

        await Gen.Select(GenAnyLabels.Array[1, 5], Gen.Int[0, 1]).SampleAsync(async sample =>
        {
            var (labelSets, policyIndex) = sample;
            var others = labelSets.Select((labels, i) => Service($"s{i}", labels, networks: i % 2 == 0 ? ["net-a"] : ["net-a", "net-b"], createdAt: Jan1.AddDays(1 + i))).ToList();
            var tasks = others.Select((s, i) => TaskAt($"t{i}", s.Id, $"10.0.1.{10 + i}")).Append(AnchorTask).ToList();
            var catalog = CatalogBuilder.Build(Snapshot([Anchor, .. others], tasks), ServiceCatalog.Empty, [], [15432], policies[policyIndex]);

            var anchor = catalog.Find("svc-anchor")!;
            Assert.Equal(alone.Routes.ToArray(), anchor.Routes.ToArray());
            Assert.Equal(alone.Endpoints.ToArray(), anchor.Endpoints.ToArray());
            Assert.Empty(anchor.Errors);
            foreach (var service in catalog.Services)
            {
                var parsed = ServiceLabelParser.Parse(others.FirstOrDefault(o => o.Id == service.Id)?.Labels ?? Anchor.Labels);
                Assert.True(parsed.Errors.IsEmpty || (!service.IsRouted && service.Routes.IsEmpty), $"{service.Name} is routed although its labels are broken");
            }

            Assert.Empty((await applier.ApplyAsync(catalog)).Errors);
            if (catalog.Services.Any(s => s.Id != "svc-anchor" && !s.Routes.IsEmpty))
            {
                Interlocked.Increment(ref withRoutes);
            }
        }, iter: 1500, threads: 1);

        // Not vacuous: many of the random services did get routes next to the anchor.
        Assert.True(withRoutes > 150, $"only {withRoutes} samples had a routed random service");
    }

    public void Dispose() => _services.Dispose();
}
