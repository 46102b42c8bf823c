using System.Globalization;
using SwarmEdge.IntegrationTests.Lab;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Hostile;

/// <summary>
/// Slow headers (slowloris) and slow bodies (R-U-Dead-Yet) from 1,000 connections, made by slowhttptest from
/// Debian, against the production limits (no per-client caps, which are off by default): Kestrel's header
/// timeout and minimum body data rate close them, and normal clients, measured before and during, lose nothing.
/// The slow bodies go to a real route, so they would hold task connections if the edge let them.
/// </summary>
[Collection(SingleNodeSwarmCollection.Name)]
public sealed class SlowClientTests(SingleNodeSwarm swarm, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Port = 18388;
    private const int Attackers = 1000;
    private readonly SwarmServices _services = swarm.NewServices();

    [Theory]
    [InlineData("slow headers", "-H")]
    [InlineData("slow bodies", "-B")]
    public async Task A_thousand_slow_connections_cost_normal_clients_no_request(string attack, string mode)
    {
        await using var edge = await ProductionEdge.StartAsync(swarm, Port);
        // Routed by the address the attack tool and the normal clients put in Host: the edge's own.
        var name = SwarmServices.UniqueName("slow");
        await _services.CreateAsync(name, 2, SwarmServices.Labels(80, ("swarmedge.http.host", swarm.Sidecar.Address)));
        await ProductionEdge.WaitForEndpointsAsync(edge, name, 2);

        await using var load = new LoadGenerator(edge.Proxy, swarm.Sidecar.Address, 16).Start();
        await load.WaitForRequestsAsync(500, TimeSpan.FromSeconds(20));
        var baselineFrom = load.Now;
        await Task.Delay(TimeSpan.FromSeconds(8)); // a measurement window, not a wait for a condition
        var attackFrom = load.Now;

        // -i 5: a header line or body chunk every 5 s (slower than the 10 s header timeout allows for a whole
        // header, and far below 240 B/s for a body); -l 25: 25 s in all.
        var slow = await Shell.RunAsync("slowhttptest",
        [
            mode, "-c", Attackers.ToString(CultureInfo.InvariantCulture), "-r", "500", "-i", "5", "-x", "24", "-s", "65536", "-l", "25",
            "-p", "3", "-u", $"http://{swarm.Sidecar.Address}:{Port}/upload", "-v", "1",
        ], TimeSpan.FromMinutes(2), check: false);
        var attackTo = load.Now;
        await load.StopAsync();

        var before = load.Window(baselineFrom, attackFrom);
        var during = load.Window(attackFrom + 2, attackTo);
        var last = slow.Output.Split('\n').LastOrDefault(l => l.Contains("slow HTTP test status", StringComparison.Ordinal)) ?? "";
        var tail = slow.Output.Split('\n').SkipWhile(l => !l.Contains("status on", StringComparison.Ordinal)).TakeLast(3);
        output.WriteLine(string.Join('\n', slow.Output.Split('\n').TakeLast(12)));
        Measurements.Record(output, $"{attack} from {Attackers} connections",
            $"normal clients before: {before.Requests} requests, {before.Failed} failed, p50 {before.P50Ms:0.0} ms, p99 {before.P99Ms:0.0} ms; " +
            $"during: {during.Requests} requests, {during.Failed} failed, p50 {during.P50Ms:0.0} ms, p99 {during.P99Ms:0.0} ms; " +
            $"slowhttptest: {string.Join(" ", tail).Trim()}");

        Assert.True(slow.Output.Contains("status on", StringComparison.Ordinal), $"slowhttptest ran: {slow.Output}{slow.Error}");
        Assert.Equal(0, before.Failed);
        Assert.Equal(0, during.Failed);
        Assert.True(during.Requests > 0);
        Assert.Empty(load.Failures);
        Assert.NotEqual("", last);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _services.DisposeAsync();
}
