using System.Collections.Immutable;
using SwarmEdge.Catalog;
using SwarmEdge.Discovery;
using static SwarmEdge.Tests.TestData;

namespace SwarmEdge.Tests.Catalog;

/// <summary>
/// A rebuild takes every service whose inputs did not change from the last catalog (the same instance), and
/// decides the rest as a build from scratch with the same memory would.
/// </summary>
public class IncrementalBuildTests
{
    private static readonly OptedInService Web = Service("web", Routed());
    private static readonly OptedInService Api = Service("api", Routed(), createdAt: Jan1.AddDays(1));
    private static readonly SwarmTask W1 = TaskAt("w1", "svc-web", "10.0.1.1");
    private static readonly SwarmTask W2 = TaskAt("w2", "svc-web", "10.0.1.2", node: "node-2");
    private static readonly SwarmTask A1 = TaskAt("a1", "svc-api", "10.0.2.1");
    private static readonly SwarmNode Node1 = new("node-1", "worker-1", true);
    private static readonly SwarmNode Node2 = new("node-2", "worker-2", true);

    private static ServiceCatalog Build(SwarmSnapshot snapshot, ServiceCatalog? previous = null) =>
        CatalogBuilder.Build(snapshot, previous ?? ServiceCatalog.Empty, [], policy: OpenPolicy);

    private static SwarmSnapshot Swarm(IEnumerable<SwarmTask> tasks, IEnumerable<SwarmNode>? nodes = null, IEnumerable<OptedInService>? services = null) =>
        Snapshot(services ?? [Web, Api], tasks, nodes ?? [Node1, Node2]);

    [Fact]
    public void A_scale_or_an_update_under_way_decides_no_routing_again()
    {
        var before = new CatalogInputs(Swarm([W1, A1]), [], [], OpenPolicy);
        CatalogInputs After(OptedInService web) => new(Swarm([W1, A1], services: [web, Api]), [], [], OpenPolicy);

        Assert.True(before.SameRouting(After(Web with { DesiredReplicas = 7, UpdateInProgress = true })));
        Assert.False(before.SameRouting(After(Web with { Labels = Routed(("swarmedge.http.host", "www.example.com")) })));
        Assert.False(before.SameRouting(After(Web with { NetworkIds = ["net-b"] })));
    }

    [Fact]
    public void Equal_inputs_give_back_the_same_instances()
    {
        var first = Build(Swarm([W1, W2, A1]));

        // Equal, not the same objects: a full read of the swarm maps everything anew.
        var second = Build(Swarm([W1 with { }, W2 with { }, A1 with { }]), first);

        Assert.Same(first.Services[0], second.Services[0]);
        Assert.Same(first.Services[1], second.Services[1]);
    }

    [Fact]
    public void A_swarm_without_services_builds_again_from_the_same_inputs()
    {
        // A fresh swarm, or one whose services all left: every resync rebuilds from equal, empty inputs.
        var first = Build(Swarm([], services: []));

        var second = Build(Swarm([], services: []), first);

        Assert.Empty(second.Services);
    }

    [Fact]
    public void A_task_change_builds_only_its_service_again()
    {
        var first = Build(Swarm([W1, W2, A1]));

        var second = Build(Swarm([W1, A1]), first);

        Assert.NotSame(first.Find("svc-web"), second.Find("svc-web"));
        Assert.Equal(["w1"], second.Find("svc-web")!.Endpoints.Select(e => e.TaskId));
        Assert.Same(first.Find("svc-api"), second.Find("svc-api"));
    }

    [Fact]
    public void A_label_change_decides_routing_again_and_keeps_the_other_services()
    {
        var first = Build(Swarm([W1, W2, A1]));
        var relabeled = Service("api", Routed(("swarmedge.http.host", "api.example.com")), createdAt: Jan1.AddDays(1));

        var second = Build(Swarm([W1, W2, A1], services: [Web, relabeled]), first);

        Assert.Same(first.Find("svc-web"), second.Find("svc-web"));
        Assert.Equal(["api.example.com"], second.Find("svc-api")!.Routes.Single().Hosts);
        Assert.Equal(["a1"], second.Find("svc-api")!.Endpoints.Select(e => e.TaskId));
    }

    [Fact]
    public void A_node_that_goes_down_takes_its_tasks_out_though_nothing_else_changed()
    {
        var first = Build(Swarm([W1, W2, A1]));

        var second = Build(Swarm([W1, W2, A1], [Node1, Node2 with { Reachable = false }]), first);

        Assert.Equal(["w1"], second.Find("svc-web")!.Endpoints.Select(e => e.TaskId));
        Assert.Same(first.Find("svc-api"), second.Find("svc-api"));
    }

    [Fact]
    public void A_catalog_without_its_inputs_is_built_again_whole()
    {
        var first = Build(Swarm([W1, W2, A1]));

        var second = Build(Swarm([W1, W2, A1]), first with { Inputs = null });

        Assert.Equal(first.Services.Select(Describe), second.Services.Select(Describe));
    }

    /// <summary>
    /// Random changes of every kind, built one after the other twice: reusing what did not change, and deciding
    /// everything again (the last catalog's inputs withheld) with the same memory. Both must agree at every step.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Reuse_agrees_with_deciding_everything_again(int seed)
    {
        var random = new Random(seed);
        var services = Enumerable.Range(0, 6).Select(i => Service($"s{i}", Routed(), createdAt: Jan1.AddDays(i))).ToList();
        var tasks = new List<SwarmTask>();
        var nodes = new List<SwarmNode> { Node1, Node2 };
        var dns = new Dictionary<string, DnsAnswer>();
        var incremental = ServiceCatalog.Empty;
        var whole = ServiceCatalog.Empty;
        var next = 0;

        for (var step = 0; step < 300; step++)
        {
            var service = services[random.Next(services.Count)];
            switch (random.Next(8))
            {
                case 0 or 1:
                    var ip = $"10.0.{services.IndexOf(service)}.{next % 250 + 1}";
                    tasks.Add(TaskAt($"t{next++}", service.Id, ip, node: random.Next(2) == 0 ? "node-1" : "node-2", state: random.Next(4) == 0 ? "starting" : "running"));
                    break;
                case 2 when tasks.Count > 0:
                    tasks.RemoveAt(random.Next(tasks.Count));
                    break;
                case 3:
                    // DNS lists some of the service's running tasks, or fails.
                    var own = tasks.Where(t => t.ServiceId == service.Id && random.Next(3) > 0).Select(t => t.Addresses["net-a"].ToString()).ToArray();
                    dns[service.Name] = random.Next(5) == 0 ? DnsAnswer.Failed("timeout") : Dns(own);
                    break;
                case 4:
                    var n = random.Next(nodes.Count);
                    nodes[n] = nodes[n] with { Reachable = !nodes[n].Reachable };
                    break;
                case 5:
                    // Labels: a host, a broken port (the last good routing serves), or back to the plain labels.
                    var i = services.IndexOf(service);
                    services[i] = service with
                    {
                        Labels = random.Next(3) switch
                        {
                            0 => Routed(("swarmedge.http.host", $"h{random.Next(3)}.example.com")),
                            1 => Routed(("swarmedge.http.port", "not-a-port")),
                            _ => Routed(),
                        },
                    };
                    break;
                case 6 when services.Count > 2:
                    services.Remove(service);
                    break;
                case 6:
                    services.Add(Service($"s{next++}", Routed(), createdAt: Jan1.AddDays(next)));
                    break;
                default:
                    // Nothing changed: a resync that read the same swarm.
                    break;
            }

            var snapshot = new SwarmSnapshot(
                [.. services],
                tasks.GroupBy(t => t.ServiceId).ToImmutableDictionary(g => g.Key, g => g.ToImmutableArray()),
                Snapshot([]).Networks,
                nodes.ToImmutableDictionary(x => x.Id),
                dns.ToImmutableDictionary());

            incremental = Build(snapshot, incremental);
            whole = Build(snapshot, whole with { Inputs = null });
            Assert.Equal(whole.Services.Select(Describe), incremental.Services.Select(Describe));
        }
    }

    private static string Describe(CatalogService s) =>
        $"{s.Id} {s.Name} {s.NetworkId} {s.UsesLastGoodRouting} {s.Routing} " +
        $"routes [{string.Join(" ", s.Routes.Select(r => string.Join(",", r.Hosts)))}] " +
        $"endpoints [{string.Join(" ", s.Endpoints)}] confirmed [{string.Join(" ", s.ConfirmedTaskIds.Order())}] " +
        $"errors [{string.Join(" | ", s.Errors)}]";
}
