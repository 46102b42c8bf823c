using System.Diagnostics;
using System.Net;
using SwarmEdge.IntegrationTests.Hostile;
using SwarmEdge.IntegrationTests.Lab;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Resilience;

/// <summary>
/// SIGTERM to SwarmEdge with a request in flight and clients still sending: it turns unready at once, keeps
/// serving for its grace (each HTTP/1.1 answer asking the client to reconnect), lets the request in flight
/// finish, and exits 0.
/// </summary>
[Collection(SingleNodeSwarmCollection.Name)]
public sealed class GracefulShutdownTests(SingleNodeSwarm swarm, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Port = 18196;
    private const string Image = "swarmedge-lab/tcpecho:latest";
    private const string SlowHttp = "socat TCP-LISTEN:80,fork,reuseaddr EXEC:/usr/local/bin/http-with-delay";
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(3);
    private readonly SwarmServices _services = swarm.NewServices();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task A_stopped_edge_turns_unready_serves_through_its_grace_finishes_requests_in_flight_and_exits_0()
    {
        var name = SwarmServices.UniqueName("stop");
        await _services.CreateFromAsync(Image, name, 2, SwarmServices.Labels(80, ("swarmedge.http.host", $"{name}.test")), "--entrypoint", SlowHttp);
        var edge = await ProductionEdge.StartAsync(swarm, Port, new()
        {
            ["SwarmEdge:Shutdown:Grace"] = Grace.ToString(),
            ["SwarmEdge:Shutdown:Drain"] = "00:00:10",
        });
        await using var _ = edge;
        await ProductionEdge.WaitForEndpointsAsync(edge, name, 2);
        Assert.Equal(HttpStatusCode.OK, (await edge.GetAdminAsync("readyz")).StatusCode);

        // A request that takes 6 s, sent before the stop and answered after the grace.
        var inFlight = GetAsync(edge, name, "/wait/6/in-flight");
        await Eventually.HoldsAsync(async () => await edge.MetricAsync("swarmedge_requests_in_flight") >= 1,
            TimeSpan.FromSeconds(10), "the long request is in flight");

        var stop = Stopwatch.StartNew();
        await edge.TerminateAsync();
        await Eventually.HoldsAsync(async () => (await edge.GetAdminAsync("readyz")).StatusCode == HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(2), "unready once stopped", TimeSpan.FromMilliseconds(20));
        var unreadyAfter = stop.Elapsed;

        // During the grace: new connections are served, and told to close.
        var duringGrace = 0;
        while (stop.Elapsed < Grace - TimeSpan.FromMilliseconds(500))
        {
            using var response = await GetAsync(edge, name, "/short");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(response.Headers.ConnectionClose, "a response while draining asks the client to reconnect");
            duringGrace++;
        }

        using var finished = await inFlight;
        Assert.Equal(HttpStatusCode.OK, finished.StatusCode);
        var exitCode = await edge.WaitForExitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(0, exitCode);
        Measurements.Record(output, "graceful shutdown (SIGTERM, grace 3 s)",
            $"unready after {unreadyAfter.TotalSeconds:0.00} s; {duringGrace} requests served during the grace, each with Connection: close; " +
            $"the 6 s request in flight answered 200; exited 0 after {stop.Elapsed.TotalSeconds:0.0} s");
    }

    private async Task<HttpResponseMessage> GetAsync(SwarmEdgeProcess edge, string name, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(edge.Proxy, path));
        request.Headers.Host = $"{name}.test";
        return await _http.SendAsync(request);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _services.DisposeAsync();
    }
}
