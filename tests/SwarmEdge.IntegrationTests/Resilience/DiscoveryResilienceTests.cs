using System.Diagnostics;
using System.Net;
using SwarmEdge.IntegrationTests.Lab;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Resilience;

/// <summary>
/// Discovery under trouble on the single-node swarm: no Docker API at start, a dead manager endpoint first in
/// the list, Docker's DNS unreachable under load. Each test runs its own SwarmEdge in its own sidecar.
/// </summary>
[Collection(SingleNodeSwarmCollection.Name)]
public sealed class DiscoveryResilienceTests(SingleNodeSwarm swarm, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Sidecar = "swarmedge-it-edge-resilience";
    private readonly SwarmServices _services = swarm.NewServices();
    private readonly List<IAsyncDisposable> _cleanup = [];

    [Fact]
    public async Task Starts_unready_without_the_Docker_API_and_serves_once_the_API_appears()
    {
        var name = SwarmServices.UniqueName("late");
        await _services.CreateAsync(name, 2, SwarmServices.Labels());
        var socket = $"/tmp/swarmedge-it-{Guid.NewGuid():N}.sock";
        var edge = await StartEdgeAsync(18180, new() { ["SwarmEdge:Docker:Endpoints:0"] = $"unix://{socket}" }, waitReady: false);

        // The process is up (healthz) but not ready: it has never read the swarm.
        await Eventually.HoldsAsync(async () => await StatusAsync(edge, "healthz") == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "healthz answers");
        await Eventually.HoldsAsync(async () => await edge.MetricAsync("swarmedge_discovery_errors_total{source=\"docker\"}") >= 2,
            TimeSpan.FromSeconds(30), "two failed reads of the missing Docker API");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusAsync(edge, "readyz"));

        // The API appears: a socket that forwards to the real dockerd.
        var forwarder = Process.Start("socat", [$"UNIX-LISTEN:{socket},fork", "UNIX-CONNECT:/var/run/docker.sock"])!;
        _cleanup.Add(new ProcessKiller(forwarder, socket));
        var appeared = Stopwatch.StartNew();
        await edge.WaitReadyAsync(TimeSpan.FromSeconds(20));
        await Eventually.HoldsAsync(async () => await edge.EndpointCountAsync(name) == 2, TimeSpan.FromSeconds(10), "endpoints listed");
        Measurements.Record(output, "Docker API unreachable at start",
            $"not ready while absent; ready and routing {appeared.Elapsed.TotalSeconds:0.0} s after the API appeared");
        Assert.Equal(HttpStatusCode.OK, await ProxyStatusAsync(edge, name));
    }

    [Fact]
    public async Task A_dead_manager_endpoint_first_in_the_list_costs_nothing()
    {
        var name = SwarmServices.UniqueName("failover");
        await _services.CreateAsync(name, 2, SwarmServices.Labels());
        var edge = await StartEdgeAsync(18182, new()
        {
            ["SwarmEdge:Docker:Endpoints:0"] = "unix:///tmp/swarmedge-it-no-such-manager.sock",
            ["SwarmEdge:Docker:Endpoints:1"] = "unix:///var/run/docker.sock",
        });

        await Eventually.HoldsAsync(async () => await edge.EndpointCountAsync(name) == 2, TimeSpan.FromSeconds(10), "endpoints listed");
        Assert.Equal(HttpStatusCode.OK, await ProxyStatusAsync(edge, name));
        Assert.Contains("switching to unix:///var/run/docker.sock", edge.Log);

        // Events still arrive through the live endpoint: a scale-up is followed.
        await _services.ScaleAsync(name, 3);
        await Eventually.HoldsAsync(async () => await edge.EndpointCountAsync(name) == 3, TimeSpan.FromSeconds(15), "scale-up followed");
    }

    [Fact]
    public async Task Dns_unreachable_for_10_s_under_load_fails_no_request_and_a_scale_up_is_still_followed()
    {
        var name = SwarmServices.UniqueName("nodns");
        await _services.CreateAsync(name, 3, SwarmServices.Labels());
        var edge = await StartEdgeAsync(18184, []);
        await Eventually.HoldsAsync(async () => await edge.EndpointCountAsync(name) == 3, TimeSpan.FromSeconds(10), "endpoints listed");
        var sidecar = await EdgeSidecar.EnsureAsync(Sidecar, SingleNodeSwarm.Network);

        await using var load = new LoadGenerator(edge.Proxy, name, 16).Start();
        await load.WaitForRequestsAsync(500, TimeSpan.FromSeconds(10));

        // Drop every packet to Docker's DNS in SwarmEdge's network namespace.
        string[] Rule(string action) => ["-t", sidecar.Pid.ToString(), "-n", "iptables", action, "OUTPUT", "-d", "127.0.0.11", "-j", "DROP"];
        await Shell.RunAsync("nsenter", Rule("-I"));
        var outage = Stopwatch.StartNew();
        try
        {
            await _services.ScaleAsync(name, 4);
            await Eventually.HoldsAsync(async () => await edge.EndpointCountAsync(name) == 4, TimeSpan.FromSeconds(9),
                "scale-up followed through the Docker API while DNS is down");
            await Eventually.HoldsAsync(async () => (await edge.ServiceAsync(name))?.GetProperty("dnsError").GetString() is not null,
                TimeSpan.FromSeconds(5), "the DNS failure is reported on the admin API");
            if (TimeSpan.FromSeconds(10) - outage.Elapsed is { Ticks: > 0 } rest)
            {
                await Task.Delay(rest);
            }
        }
        finally
        {
            await Shell.RunAsync("nsenter", Rule("-D"));
            outage.Stop();
        }

        await Eventually.HoldsAsync(async () => (await edge.ServiceAsync(name))?.GetProperty("dnsError").GetString() is null,
            TimeSpan.FromSeconds(10), "DNS errors clear once DNS answers again");
        await load.StopAsync();

        Measurements.Record(output, $"DNS unreachable {outage.Elapsed.TotalSeconds:0.0} s under load",
            $"{load.Requests} requests, {load.Failures.Count} failed; a scale-up meanwhile was followed");
        Assert.True(load.Failures.Count == 0, "failed requests:\n" + string.Join('\n', load.Failures.Take(20)));
        Assert.Contains("DNS lookup of tasks." + name + " failed", edge.Log);
    }

    private async Task<SwarmEdgeProcess> StartEdgeAsync(int proxyPort, Dictionary<string, string> settings, bool waitReady = true)
    {
        var sidecar = await EdgeSidecar.EnsureAsync(Sidecar, SingleNodeSwarm.Network);
        settings["SwarmEdge:Networks:0"] = SingleNodeSwarm.Network;
        var edge = SwarmEdgeProcess.Start(sidecar, proxyPort, proxyPort + 1, settings);
        _cleanup.Add(edge);
        if (waitReady)
        {
            await edge.WaitReadyAsync(TimeSpan.FromSeconds(30));
        }

        return edge;
    }

    private static async Task<HttpStatusCode> StatusAsync(SwarmEdgeProcess edge, string path)
    {
        try
        {
            using var response = await edge.GetAdminAsync(path);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }

    private static async Task<HttpStatusCode> ProxyStatusAsync(SwarmEdgeProcess edge, string host)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var request = new HttpRequestMessage(HttpMethod.Get, edge.Proxy);
        request.Headers.Host = host;
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var item in Enumerable.Reverse(_cleanup))
        {
            await item.DisposeAsync();
        }

        await _services.DisposeAsync();
    }

    private sealed class ProcessKiller(Process process, string socket) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
            File.Delete(socket);
        }
    }
}
