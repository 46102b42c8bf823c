using System.Diagnostics;
using SwarmEdge.IntegrationTests.Lab;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Resilience;

/// <summary>
/// The classic Swarm failures on the three-node lab, under continuous load through SwarmEdge on the edge
/// node n1, with every response checked: a node lost, the Docker daemon SwarmEdge talks to restarted, the
/// Raft leader lost.
/// </summary>
[Collection(MultiNodeSwarmCollection.Name)]
public sealed class NodeFailureTests(MultiNodeSwarm lab, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Connections = 16;
    private readonly SwarmServices _services = lab.NewServices();
    private readonly List<IAsyncDisposable> _cleanup = [];

    [Fact]
    public async Task Node_loss_fails_no_request_and_traffic_reaches_the_rescheduled_tasks()
    {
        var name = SwarmServices.UniqueName("nodeloss");
        await _services.CreateAsync(name, 6, SwarmServices.Labels());
        var edge = await StartEdgeAsync(0, 1);
        await WaitForEndpointsAsync(edge, name, 6);

        // Lose a node that is neither the edge (n1) nor the Raft leader: the swarm must keep its quorum and
        // leader to reschedule (leader loss is its own test).
        var cut = await MultiNodeSwarm.LeaderAsync() == 3 ? 2 : 3;
        var lost = await MultiNodeSwarm.NodeIdAsync(cut);
        var before = await _services.RunningTasksAsync(name);
        Assert.Contains(before, t => t.NodeId == lost);

        await using var load = new LoadGenerator(edge.Proxy, name, Connections).Start();
        await load.WaitForRequestsAsync(1000, TimeSpan.FromSeconds(20));
        var cutAt = load.Now;
        var clock = Stopwatch.StartNew();
        await MultiNodeSwarm.CutAsync(cut);
        try
        {
            // Swarm marks the node down and starts replacements elsewhere.
            IReadOnlyList<LabTask> after = [];
            await Eventually.HoldsAsync(async () =>
            {
                try
                {
                    after = await _services.RunningTasksAsync(name);
                }
                catch (InvalidOperationException)
                {
                    return false; // the managers are busy with the loss; ask again
                }

                return after.Count == 6 && after.All(t => t.NodeId != lost);
            }, TimeSpan.FromSeconds(90), "six running tasks, none on the lost node", TimeSpan.FromSeconds(1));
            var rescheduledAt = clock.Elapsed.TotalSeconds;

            var replacements = after.Select(t => t.Id).Where(id => before.All(b => b.Id != id)).ToList();
            await Eventually.HoldsAsync(() => replacements.All(id => load.FirstSeen(id) is not null), TimeSpan.FromSeconds(20),
                "every replacement task serves");
            var reachedAt = replacements.Max(id => load.FirstSeen(id)!.Value) - cutAt;
            // A last stretch of traffic on the rescheduled tasks, counted in requests.
            await load.WaitForRequestsAsync(load.Requests + 1000, TimeSpan.FromSeconds(30));
            await load.StopAsync();

            Measurements.Record(output, $"node loss (n{cut} cut) under load",
                $"{load.Requests} requests, {load.Failures.Count} failed, slowest {load.MaxLatency:0.00} s; Swarm rescheduled at " +
                $"{rescheduledAt:0.0} s; traffic reached all {replacements.Count} rescheduled tasks {reachedAt:0.0} s after the cut");
            Assert.True(load.Failures.Count == 0, "failed requests:\n" + string.Join('\n', load.Failures.Take(20)));
            // Requests caught on the lost node wait for the stall check (1 s of silence, then a 250 ms probe), new
            // ones for one connect timeout (1 s): their retry goes to another node (suspect node), not to the lost
            // node's next task, and nothing waits for Docker's DNS (about 6 s) or the node to be marked down (about
            // 12 s).
            Assert.True(load.MaxLatency < 2, $"slowest request took {load.MaxLatency:0.00} s");
        }
        finally
        {
            await MultiNodeSwarm.RestoreAsync(cut);
            await MultiNodeSwarm.WaitHealthyAsync();
        }
    }

    [Fact]
    public async Task Routes_keep_serving_while_the_manager_SwarmEdge_talks_to_restarts_and_a_later_scale_up_is_followed()
    {
        var name = SwarmServices.UniqueName("dockerd");
        // Tasks stay off n2, whose daemon restarts (and takes its containers with it): this test is about the API.
        await _services.CreateAsync(name, 3, SwarmServices.Labels(), "--constraint", $"node.hostname!={MultiNodeSwarm.HostnameOf(2)}");
        var edge = await StartEdgeAsync(1, 2);
        await WaitForEndpointsAsync(edge, name, 3);

        await using var load = new LoadGenerator(edge.Proxy, name, Connections).Start();
        await load.WaitForRequestsAsync(1000, TimeSpan.FromSeconds(20));
        var clock = Stopwatch.StartNew();
        await MultiNodeSwarm.RestartDaemonAsync(2);
        var restartSeconds = clock.Elapsed.TotalSeconds;
        await MultiNodeSwarm.WaitHealthyAsync();

        var scaleClock = Stopwatch.StartNew();
        await _services.ScaleAsync(name, 5);
        await WaitForEndpointsAsync(edge, name, 5, TimeSpan.FromSeconds(30));
        var followed = scaleClock.Elapsed.TotalSeconds;
        await load.StopAsync();

        Measurements.Record(output, "dockerd restart on SwarmEdge's manager (n2) under load",
            $"{load.Requests} requests, {load.Failures.Count} failed; restart took {restartSeconds:0.0} s; " +
            $"scale-up 3->5 after it listed in {followed:0.0} s");
        Assert.True(load.Failures.Count == 0, "failed requests:\n" + string.Join('\n', load.Failures.Take(20)));
        Assert.Contains("Docker event stream", edge.Log);
    }

    [Fact]
    public async Task Losing_the_leader_manager_does_not_blind_SwarmEdge()
    {
        // n1 is the edge node and must stay up: make sure the leader is elsewhere.
        var leader = await MultiNodeSwarm.LeaderAsync();
        if (leader == 1)
        {
            await lab.StepDownAsync(1);
            leader = await MultiNodeSwarm.LeaderAsync();
        }

        Assert.NotEqual(1, leader);
        var follower = 5 - leader; // the manager that is neither n1 nor the leader: 2 + 3 = 5
        var name = SwarmServices.UniqueName("leader");
        await _services.CreateAsync(name, 3, SwarmServices.Labels(), "--constraint", $"node.hostname!={MultiNodeSwarm.HostnameOf(leader)}");
        var edge = await StartEdgeAsync(2, leader, follower, 1);
        await WaitForEndpointsAsync(edge, name, 3);

        await using var load = new LoadGenerator(edge.Proxy, name, Connections).Start();
        await load.WaitForRequestsAsync(1000, TimeSpan.FromSeconds(20));
        var before = (await _services.RunningTasksAsync(name)).Select(t => t.Id).ToHashSet();
        var cutUtc = DateTime.UtcNow;
        await MultiNodeSwarm.CutAsync(leader);
        try
        {
            // The remaining two managers elect a new leader; until then the scale command itself fails.
            var clock = Stopwatch.StartNew();
            await Eventually.HoldsAsync(async () => (await MultiNodeSwarm.Docker(1, "service", "scale", "--detach", $"{name}=5")).ExitCode == 0,
                TimeSpan.FromSeconds(90), "the swarm accepts a scale-up after losing its leader", TimeSpan.FromSeconds(1));
            var acceptedAt = clock.Elapsed.TotalSeconds;
            await WaitForEndpointsAsync(edge, name, 5, TimeSpan.FromSeconds(30));
            var followedAt = clock.Elapsed.TotalSeconds;
            await load.WaitForRequestsAsync(load.Requests + 500, TimeSpan.FromSeconds(30));
            await load.StopAsync();

            // After an election the new leader's scheduler and dispatcher take their time: when Docker says the
            // new tasks were running tells Swarm's share of the delay from SwarmEdge's.
            var runningAt = 0.0;
            foreach (var task in (await _services.RunningTasksAsync(name)).Where(t => !before.Contains(t.Id)))
            {
                runningAt = Math.Max(runningAt, (await _services.StateSinceAsync(task.Id) - cutUtc).TotalSeconds);
            }

            Measurements.Record(output, $"leader (n{leader}) lost under load",
                $"{load.Requests} requests, {load.Failures.Count} failed; swarm accepted a scale-up {acceptedAt:0.0} s after the cut, " +
                $"the new tasks were running at {runningAt:0.0} s, SwarmEdge listed them at {followedAt:0.0} s");
            Assert.True(load.Failures.Count == 0, "failed requests:\n" + string.Join('\n', load.Failures.Take(20)));
            Assert.Contains("switching to", edge.Log);
            // The cut-off manager answers nothing: reads are hedged to the next manager after Docker:HedgeAfter (1 s)
            // instead of waiting out Docker:RequestTimeout (5 s).
            Assert.True(followedAt - runningAt < 4, $"new tasks listed {followedAt - runningAt:0.0} s after they ran");
        }
        finally
        {
            await MultiNodeSwarm.RestoreAsync(leader);
            await MultiNodeSwarm.WaitHealthyAsync();
        }
    }

    private async Task<SwarmEdgeProcess> StartEdgeAsync(int portIndex, params int[] managers)
    {
        var edge = lab.StartEdge(portIndex, managers);
        _cleanup.Add(edge);
        await edge.WaitReadyAsync(TimeSpan.FromSeconds(60));
        return edge;
    }

    private static Task WaitForEndpointsAsync(SwarmEdgeProcess edge, string name, int count, TimeSpan? timeout = null) =>
        Eventually.HoldsAsync(async () => await edge.EndpointCountAsync(name) == count,
            timeout ?? TimeSpan.FromSeconds(30), $"SwarmEdge lists {count} endpoints for {name}");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var item in Enumerable.Reverse(_cleanup))
        {
            await item.DisposeAsync();
        }

        await _services.DisposeAsync();
    }
}
