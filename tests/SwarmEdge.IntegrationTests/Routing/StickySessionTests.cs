using System.Net;
using SwarmEdge.IntegrationTests.Hostile;
using SwarmEdge.IntegrationTests.Lab;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Routing;

/// <summary>swarmedge.http.sticky on the real swarm: a client keeps its task; when that task is replaced, it moves to a live one.</summary>
[Collection(SingleNodeSwarmCollection.Name)]
public sealed class StickySessionTests(SingleNodeSwarm swarm, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly SwarmServices _services = swarm.NewServices();

    [Fact]
    public async Task A_client_keeps_its_task_through_other_clients_traffic_and_moves_to_a_live_one_when_it_is_replaced()
    {
        var name = SwarmServices.UniqueName("sticky");
        var host = $"{name}.test";
        await _services.CreateAsync(name, 3, SwarmServices.Labels(80, ("swarmedge.http.host", host), ("swarmedge.http.sticky", "true")));
        await ProductionEdge.WaitForEndpointsAsync(swarm.Edge, name, 3);
        using var sticky = new HttpClient(new SocketsHttpHandler { UseCookies = true, CookieContainer = new CookieContainer() }) { Timeout = TimeSpan.FromSeconds(5) };
        using var others = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { Timeout = TimeSpan.FromSeconds(5) };

        var first = await GetAsync(sticky, host);
        var kept = new List<string>();
        var spread = new HashSet<string>();
        for (var i = 0; i < 30; i++)
        {
            kept.Add(await GetAsync(sticky, host));
            spread.Add(await GetAsync(others, host));
        }

        Assert.All(kept, task => Assert.Equal(first, task));
        Assert.True(spread.Count > 1, $"clients without the cookie are spread over the tasks (saw {string.Join(", ", spread)})");

        // Its task stops (gracefully, as an update or a drain stops it) and Swarm starts another in its place.
        var container = (await _services.RunningTasksAsync(name)).Single(t => t.Id == first).ContainerId;
        var stopping = Shell.DockerAsync("stop", container);
        var after = new List<string>();
        var failed = 0;
        var moved = System.Diagnostics.Stopwatch.StartNew();
        while (moved.Elapsed < TimeSpan.FromSeconds(60) && (after.Count == 0 || after[^1] == first || after.Count(t => t == after[^1]) < 20))
        {
            try
            {
                after.Add(await GetAsync(sticky, host));
            }
            catch (HttpRequestException)
            {
                failed++;
            }
        }

        await stopping;
        var now = after[^1];
        Assert.NotEqual(first, now);
        // Moved once: from its task straight to the one it then keeps (a retry re-affinitizes the cookie too).
        Assert.Equal([first, now], after.Distinct());
        Assert.Equal(0, failed);
        Assert.Contains(now, (await _services.RunningTasksAsync(name)).Select(t => t.Id));
        Measurements.Record(output, "sticky sessions (swarmedge.http.sticky)",
            $"31 requests with the cookie on one task while 30 without it went to {spread.Count} tasks; its task stopped: {after.Count} requests, " +
            $"{after.Count(t => t == first)} still on it, then all {after.Count(t => t == now)} on one live task, {failed} failed");
    }

    /// <summary>The task that answered (an ID prefix, from the lab whoami's host name), failing on anything but 200.</summary>
    private async Task<string> GetAsync(HttpClient client, string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(swarm.Edge.Proxy, "/"));
        request.Headers.Host = host;
        using var response = await client.SendAsync(request);
        var body = (await response.Content.ReadAsStringAsync()).Trim();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException($"{(int)response.StatusCode} from the edge");
        }

        return LoadGenerator.TaskIdOf(body);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _services.DisposeAsync();
}
