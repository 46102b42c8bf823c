using System.Collections.Immutable;
using SwarmEdge.Discovery;
using static SwarmEdge.Tests.TestData;

namespace SwarmEdge.Tests.Discovery;

/// <summary>
/// A read merged into the snapshot keeps the instances of what it found unchanged (the catalog reuses unchanged
/// services by reference) and keeps services in ID order (two snapshots of one swarm list them alike).
/// </summary>
public class SwarmSnapshotTests
{
    private static readonly OptedInService Web = Service("web", Routed(("swarmedge.http.host", "web.example.com")));
    private static readonly OptedInService Api = Service("api", Routed(("swarmedge.http.host", "api.example.com")));
    private static readonly SwarmTask W1 = TaskAt("w1", "svc-web", "10.0.1.1");
    private static readonly SwarmTask A1 = TaskAt("a1", "svc-api", "10.0.2.1");

    private static SwarmSnapshot Read(SwarmSnapshot basis, IEnumerable<OptedInService> services, params SwarmTask[] tasks)
    {
        var read = Snapshot(services, tasks);
        return basis.WithWholeRead(read.Services, read.TasksByService, read.Networks, read.Nodes);
    }

    /// <summary>A copy equal to the service and not the same object, as a read maps everything anew.</summary>
    private static OptedInService Reread(OptedInService service) =>
        service with { Labels = service.Labels.ToImmutableDictionary(StringComparer.Ordinal), NetworkIds = [.. service.NetworkIds] };

    [Fact]
    public void A_whole_read_that_finds_nothing_changed_keeps_every_instance()
    {
        var first = Read(SwarmSnapshot.Empty, [Web, Api], W1, A1);

        var second = Read(first, [Reread(Api), Reread(Web)], W1 with { }, A1 with { });

        Assert.Same(first.Services[0], second.Services[0]);
        Assert.Same(first.Services[1], second.Services[1]);
        Assert.True(first.Services == second.Services, "the same array");
        Assert.Same(first.TasksByService, second.TasksByService);
        Assert.Same(first.Networks, second.Networks);
        Assert.Same(first.Nodes, second.Nodes);
    }

    [Fact]
    public void A_whole_read_lists_services_in_ID_order_whatever_order_Docker_answers_in()
    {
        var snapshot = Read(SwarmSnapshot.Empty, [Web, Api], W1, A1);

        Assert.Equal(["svc-api", "svc-web"], snapshot.Services.Select(s => s.Id));
    }

    [Fact]
    public void A_whole_read_takes_what_changed_and_keeps_the_rest()
    {
        var first = Read(SwarmSnapshot.Empty, [Web, Api], W1, A1);
        var relabeled = Web with { Labels = Routed(("swarmedge.http.host", "www.example.com")) };
        var w2 = TaskAt("w2", "svc-web", "10.0.1.2");

        var second = Read(first, [relabeled, Reread(Api)], w2, A1 with { });

        Assert.Same(first.Services[0], second.Services[0]);
        Assert.Same(relabeled, second.Services[1]);
        Assert.True(first.TasksByService["svc-api"] == second.TasksByService["svc-api"], "the api's tasks are the same array");
        Assert.Equal([w2], second.TasksOf("svc-web").ToArray());
    }

    [Fact]
    public void A_service_whose_replicas_changed_keeps_its_labels_instance()
    {
        var first = Read(SwarmSnapshot.Empty, [Web], W1);

        var scaled = Read(first, [Reread(Web) with { DesiredReplicas = 5, UpdateInProgress = true }], W1);

        Assert.NotSame(first.Services[0], scaled.Services[0]);
        Assert.Equal(5, scaled.Services[0].DesiredReplicas);
        // The catalog keys its label parse by this instance.
        Assert.Same((ImmutableDictionary<string, string>)first.Services[0].Labels, (ImmutableDictionary<string, string>)scaled.Services[0].Labels);
    }

    [Fact]
    public void One_service_read_again_stays_in_its_place_and_a_new_one_goes_in_ID_order()
    {
        var zeta = Service("zeta", Routed());
        var snapshot = Read(SwarmSnapshot.Empty, [Web, zeta], W1);
        var w2 = TaskAt("w2", "svc-web", "10.0.1.2");

        var updated = snapshot.WithService(Reread(Web), [w2], snapshot.Networks);
        var added = updated.WithService(Api, [A1], snapshot.Networks);

        Assert.Equal(["svc-web", "svc-zeta"], updated.Services.Select(s => s.Id));
        Assert.Same(snapshot.Services[0], updated.Services[0]);
        Assert.Equal([w2], updated.TasksOf("svc-web").ToArray());
        Assert.Equal(["svc-api", "svc-web", "svc-zeta"], added.Services.Select(s => s.Id));
        Assert.Equal([A1], added.TasksOf("svc-api").ToArray());
    }

    [Fact]
    public void One_service_read_again_unchanged_leaves_the_snapshot_as_it_was()
    {
        var snapshot = Read(SwarmSnapshot.Empty, [Web, Api], W1, A1);

        var again = snapshot.WithService(Reread(Web), [W1 with { }], snapshot.Networks);

        Assert.True(snapshot.Services == again.Services, "the same array");
        Assert.Same(snapshot.TasksByService, again.TasksByService);
    }

    [Fact]
    public void A_service_that_left_takes_its_tasks_with_it()
    {
        var snapshot = Read(SwarmSnapshot.Empty, [Web, Api], W1, A1);

        var left = snapshot.WithoutService("svc-web").WithoutService("svc-unknown");

        Assert.Equal(["svc-api"], left.Services.Select(s => s.Id));
        Assert.False(left.TasksByService.ContainsKey("svc-web"));
    }

    [Fact]
    public void A_whole_read_without_a_service_drops_it_and_its_tasks()
    {
        var first = Read(SwarmSnapshot.Empty, [Web, Api], W1, A1);

        var second = Read(first, [Reread(Api)], A1 with { });

        Assert.Equal(["svc-api"], second.Services.Select(s => s.Id));
        Assert.False(second.TasksByService.ContainsKey("svc-web"));
    }

    [Fact]
    public void One_service_read_again_with_new_labels_replaces_it_in_its_place()
    {
        var snapshot = Read(SwarmSnapshot.Empty, [Web, Api], W1, A1);
        var relabeled = Web with { Labels = Routed(("swarmedge.http.host", "www.example.com")) };

        var updated = snapshot.WithService(relabeled, [W1], snapshot.Networks);

        Assert.Equal(["svc-api", "svc-web"], updated.Services.Select(s => s.Id));
        Assert.Same(relabeled, updated.Services[1]);
        Assert.Same(snapshot.Services[0], updated.Services[0]);
    }
}
