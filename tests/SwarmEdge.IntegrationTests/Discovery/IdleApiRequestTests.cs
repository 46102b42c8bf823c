using SwarmEdge.IntegrationTests.Lab;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Discovery;

/// <summary>
/// When nothing changes, SwarmEdge's Docker API traffic is the periodic resync only: a few requests a minute,
/// the same for 3 tasks as for 30, because a full read is four list calls whatever the size of the swarm.
/// Counted from SwarmEdge's own swarmedge_docker_api_requests_total.
/// </summary>
[Collection(SingleNodeSwarmCollection.Name)]
public sealed class IdleApiRequestTests(SingleNodeSwarm swarm, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(60);
    private readonly SwarmServices _services = swarm.NewServices();

    [Fact]
    public async Task Idle_api_requests_per_minute_are_few_and_do_not_grow_with_the_number_of_tasks()
    {
        var small = SwarmServices.UniqueName("idle");
        await _services.CreateAsync(small, 3, SwarmServices.Labels());
        await WaitForEndpointsAsync(small, 3);
        var withThree = await RequestsPerWindowAsync();

        await _services.ScaleAsync(small, 30);
        await _services.WaitForRunningAsync(small, 30, TimeSpan.FromSeconds(120));
        await WaitForEndpointsAsync(small, 30);
        var withThirty = await RequestsPerWindowAsync();

        Measurements.Record(output, "Docker API requests per idle minute",
            $"{withThree} with 3 tasks, {withThirty} with 30 tasks (resync every 30 s = 4 list calls)");
        // Two resyncs of four calls fit in a minute, a third may straddle the window's edges: ten times the tasks
        // cost at most that one straddling resync more.
        Assert.InRange(withThree, 1, 12);
        Assert.InRange(withThirty, 1, withThree + 4);
    }

    /// <summary>
    /// Counts SwarmEdge's API requests over one window that starts once the swarm is quiet: no request for 5 s,
    /// so the follow-up reads and DNS-triggered reads of the last change are over (a resync interrupting the quiet
    /// spell starts it again).
    /// </summary>
    private async Task<long> RequestsPerWindowAsync()
    {
        await Eventually.HoldsAsync(async () =>
        {
            var start = await ApiRequestsAsync();
            await Task.Delay(TimeSpan.FromSeconds(5)); // the quiet spell's length, not a wait for a condition
            return await ApiRequestsAsync() == start;
        }, TimeSpan.FromSeconds(120), "5 s without a Docker API request", TimeSpan.Zero);
        var before = await ApiRequestsAsync();
        await Task.Delay(Window); // the window the rate is counted over, not a wait for a condition
        return await ApiRequestsAsync() - before;
    }

    private Task<long> ApiRequestsAsync() => swarm.Edge.MetricAsync("swarmedge_docker_api_requests_total{");

    private async Task WaitForEndpointsAsync(string name, int count) =>
        await Eventually.HoldsAsync(async () => await swarm.Edge.EndpointCountAsync(name) == count,
            TimeSpan.FromSeconds(60), $"SwarmEdge lists {count} endpoints for {name}");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _services.DisposeAsync().AsTask();
}
