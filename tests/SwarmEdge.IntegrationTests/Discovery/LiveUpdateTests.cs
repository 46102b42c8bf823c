using System.Diagnostics;
using SwarmEdge.IntegrationTests.Lab;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Discovery;

/// <summary>
/// Scaling, rolling updates and crashes are followed live, under continuous load through SwarmEdge,
/// with every response checked.
/// </summary>
[Collection(SingleNodeSwarmCollection.Name)]
public sealed class LiveUpdateTests(SingleNodeSwarm swarm, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Connections = 16;
    private readonly SwarmServices _services = swarm.NewServices();

    [Fact]
    public async Task New_tasks_get_traffic_soon_after_scale_up()
    {
        var name = SwarmServices.UniqueName("scale");
        await _services.CreateAsync(name, 3, SwarmServices.Labels());
        await WaitForEndpointsAsync(name, 3);
        var before = (await _services.RunningTasksAsync(name)).Select(t => t.Id).ToHashSet();

        await using var load = new LoadGenerator(swarm.Edge.Proxy, name, Connections).Start();
        await load.WaitForRequestsAsync(500, TimeSpan.FromSeconds(10));

        var scaledAt = load.Now;
        await _services.ScaleAsync(name, 6);
        await _services.WaitForRunningAsync(name, 6);
        var added = (await _services.RunningTasksAsync(name)).Select(t => t.Id).Where(id => !before.Contains(id)).ToList();
        Assert.Equal(3, added.Count);

        await Eventually.HoldsAsync(() => added.All(id => load.FirstSeen(id) is not null), TimeSpan.FromSeconds(20),
            "every new task answered a request through SwarmEdge");
        await load.StopAsync();

        var delays = added.Select(id => load.FirstSeen(id)!.Value - scaledAt).Order().ToList();
        var lags = new List<double>();
        foreach (var id in added)
        {
            lags.Add((load.FirstSeenUtc(id)!.Value - await _services.StateSinceAsync(id)).TotalSeconds);
        }

        Measurements.Record(output, "scale 3->6",
            $"seconds from docker service scale until each new task first served: {string.Join(", ", delays.Select(d => d.ToString("0.00")))}; " +
            $"from the task's running timestamp to its first request: {string.Join(", ", lags.Order().Select(d => d.ToString("0.00")))}; " +
            $"{load.Requests} requests, {load.Failures.Count} failed");
        Assert.Empty(load.Failures);
    }

    [Fact]
    public async Task Rolling_update_under_load_loses_no_request_and_ends_on_the_new_tasks()
    {
        var name = SwarmServices.UniqueName("roll");
        await _services.CreateAsync(name, 3, SwarmServices.Labels());
        await WaitForEndpointsAsync(name, 3);
        var oldTasks = (await _services.RunningTasksAsync(name)).Select(t => t.Id).ToHashSet();

        await using var load = new LoadGenerator(swarm.Edge.Proxy, name, Connections).Start();
        await load.WaitForRequestsAsync(500, TimeSpan.FromSeconds(10));

        var clock = Stopwatch.StartNew();
        await _services.UpdateForceAsync(name);
        var updateSeconds = clock.Elapsed.TotalSeconds;
        var newTasks = (await _services.RunningTasksAsync(name)).Select(t => t.Id).ToHashSet();
        Assert.Equal(3, newTasks.Count);
        Assert.Empty(newTasks.Intersect(oldTasks));

        // After the update: every live task, and only live tasks, receive requests (counted from when the
        // requests in flight during the update have been answered).
        await load.WaitForRequestsAsync(load.Requests + 200, TimeSpan.FromSeconds(10));
        var since = load.Now;
        await Eventually.HoldsAsync(() => newTasks.IsSubsetOf(load.TasksSeenSince(since)), TimeSpan.FromSeconds(10),
            "every new task serves after the update");
        await load.WaitForRequestsAsync(load.Requests + 500, TimeSpan.FromSeconds(10));
        await load.StopAsync();

        Measurements.Record(output, "update --force under load",
            $"{load.Requests} requests over the {updateSeconds:0.0} s update and after, {load.Failures.Count} failed " +
            $"({Connections} connections); requests per task after: " +
            string.Join(", ", load.CountsByTask.Where(t => newTasks.Contains(t.Key)).Select(t => t.Value)));
        Assert.True(load.Failures.Count == 0, "failed requests:\n" + string.Join('\n', load.Failures.Take(20)));
        Assert.Equal(newTasks, load.TasksSeenSince(since));
    }

    [Fact]
    public async Task Killed_task_costs_no_request_and_its_replacement_gets_traffic()
    {
        var name = SwarmServices.UniqueName("kill");
        await _services.CreateAsync(name, 3, SwarmServices.Labels());
        await WaitForEndpointsAsync(name, 3);
        var tasks = await _services.RunningTasksAsync(name);
        var victim = tasks[0];

        await using var load = new LoadGenerator(swarm.Edge.Proxy, name, Connections).Start();
        await load.WaitForRequestsAsync(500, TimeSpan.FromSeconds(10));

        var killedAt = load.Now;
        await _services.DockerAsync("kill", "--signal", "KILL", victim.ContainerId);
        await _services.WaitForRunningAsync(name, 3);
        var replacement = (await _services.RunningTasksAsync(name)).Select(t => t.Id)
            .Single(id => tasks.All(t => t.Id != id));

        await Eventually.HoldsAsync(() => load.FirstSeen(replacement) is not null, TimeSpan.FromSeconds(20),
            "the replacement task serves");
        var settled = load.Now + 0.5;
        await Eventually.HoldsAsync(() => load.Now > settled + 2, TimeSpan.FromSeconds(5), "load runs on");
        await load.StopAsync();

        var seen = load.TasksSeenSince(settled);
        Measurements.Record(output, "docker kill of one task under load",
            $"replacement first served {load.FirstSeen(replacement)!.Value - killedAt:0.00} s after the kill; " +
            $"{load.Requests} requests, {load.Failures.Count} failed ({Connections} connections)");
        // Requests in flight on the killed task, or sent to it before SwarmEdge saw it die, are retried on another task.
        Assert.True(load.Failures.Count == 0, "failed requests:\n" + string.Join('\n', load.Failures.Take(20)));
        Assert.DoesNotContain(victim.Id, seen);
        Assert.Contains(replacement, seen);
        Assert.Contains(tasks[1].Id, seen);
        Assert.Contains(tasks[2].Id, seen);
    }

    [Fact]
    public async Task A_new_task_that_listens_late_costs_no_request_when_it_is_the_only_one_left()
    {
        // nginx starts listening 1.5 s after its container starts, and Swarm reports the task running at once. In a
        // start-first update of one replica the old task leaves the rotation as soon as the new one runs: for about
        // a second the only task left refuses connections.
        var name = SwarmServices.UniqueName("late");
        await _services.CreateAsync(SwarmServices.Image, ["-c", "sleep 1.5; exec nginx -g 'daemon off;'"], name, 1,
            SwarmServices.Labels(), "--entrypoint", "sh", "--update-order", "start-first");
        await WaitForEndpointsAsync(name, 1);
        var old = (await _services.RunningTasksAsync(name)).Single().Id;

        await using var load = new LoadGenerator(swarm.Edge.Proxy, name, Connections).Start();
        await load.WaitForRequestsAsync(500, TimeSpan.FromSeconds(10));
        var retriesBefore = await swarm.Edge.MetricAsync($"swarmedge_retries_total{{route=\"{name}/default\"}}");

        var updatedAt = load.Now;
        await _services.UpdateForceAsync(name);
        var replacement = (await _services.RunningTasksAsync(name)).Single().Id;
        Assert.NotEqual(old, replacement);
        await Eventually.HoldsAsync(() => load.FirstSeen(replacement) is not null, TimeSpan.FromSeconds(20), "the new task serves");
        await load.WaitForRequestsAsync(load.Requests + 500, TimeSpan.FromSeconds(10));
        await load.StopAsync();

        var retries = await swarm.Edge.MetricAsync($"swarmedge_retries_total{{route=\"{name}/default\"}}") - retriesBefore;
        var during = load.Window(updatedAt, load.Now);
        Measurements.Record(output, "start-first update to a task that listens 1.5 s after it starts",
            $"{load.Requests} requests, {load.Failures.Count} failed ({Connections} connections); {retries} attempts after a refusal; " +
            $"p99 {during.P99Ms:0} ms, slowest {load.MaxLatency * 1000:0} ms from the update on");
        Assert.True(load.Failures.Count == 0, "failed requests:\n" + string.Join('\n', load.Failures.Take(20)));
        // The new task did refuse (the case this test is about happened), and waiting it out cost no request.
        Assert.True(retries > 0, "no request met the new task before it listened");
    }

    private async Task WaitForEndpointsAsync(string name, int count) =>
        await Eventually.HoldsAsync(async () => await swarm.Edge.EndpointCountAsync(name) == count,
            TimeSpan.FromSeconds(15), $"SwarmEdge lists {count} endpoints for {name}");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _services.DisposeAsync().AsTask();
}
