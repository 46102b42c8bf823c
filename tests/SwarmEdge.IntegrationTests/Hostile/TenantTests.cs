using System.Net;
using SwarmEdge.IntegrationTests.Lab;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Hostile;

/// <summary>
/// A team that can deploy a labelled service next to yours tries to take your domain (and with it your users'
/// cookies and Authorization headers): your host with a higher priority, in other letter case, a wildcard above
/// it, a path on it, a named router, and a path-only route on every host. Your service keeps all its requests;
/// each attempt gets a clear error on the admin API.
/// </summary>
[Collection(SingleNodeSwarmCollection.Name)]
public sealed class TenantTests(SingleNodeSwarm swarm, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Port = 18380;
    private readonly SwarmServices _services = swarm.NewServices();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    [Fact]
    public async Task A_second_service_cannot_capture_the_host_of_the_first_whatever_its_labels()
    {
        await using var edge = await ProductionEdge.StartAsync(swarm, Port);
        var victim = SwarmServices.UniqueName("victim");
        var host = $"{victim}.test";
        await _services.CreateAsync(victim, 2, SwarmServices.Labels(80, ("swarmedge.http.host", host)));
        await ProductionEdge.WaitForEndpointsAsync(edge, victim, 2);
        var victimTasks = (await _services.RunningTasksAsync(victim)).Select(t => t.Id).ToHashSet();

        var attempts = new (string What, (string, string)[] Labels, string Error)[]
        {
            ("the same host, higher priority", [("swarmedge.http.host", host), ("swarmedge.http.priority", "100000")], "overlaps a host of"),
            ("the host in other letter case", [("swarmedge.http.host", host.ToUpperInvariant())], "overlaps a host of"),
            ("a wildcard above it", [("swarmedge.http.host", "*.test"), ("swarmedge.http.priority", "50000")], "overlaps a host of"),
            ("a path on its host", [("swarmedge.http.host", host), ("swarmedge.http.path", "/login"), ("swarmedge.http.priority", "10")], "overlaps a host of"),
            ("a named router", [("swarmedge.http.routers.grab.host", host), ("swarmedge.http.routers.grab.priority", "99")], "overlaps a host of"),
            ("every host", [("swarmedge.http.path", "/"), ("swarmedge.http.priority", "100000")], "has a path and no host"),
            ("no rule (its name)", [], "the service has no route"),
        };
        var attackers = attempts.Select(a => (a.What, Name: SwarmServices.UniqueName("evil"), a.Labels, a.Error)).ToList();
        await Task.WhenAll(attackers.Select(a => _services.CreateAsync(a.Name, 1, SwarmServices.Labels(80, a.Labels))));

        foreach (var attacker in attackers)
        {
            await Eventually.HoldsAsync(async () =>
                    (await edge.ServiceAsync(attacker.Name))?.GetProperty("errors").EnumerateArray().Any(e => e.GetString()!.Contains(attacker.Error)) == true,
                TimeSpan.FromSeconds(20), $"{attacker.What}: {attacker.Name} gets an error containing '{attacker.Error}'");
            var status = (await edge.ServiceAsync(attacker.Name))!.Value;
            Assert.Equal(0, status.GetProperty("routes").GetArrayLength());
            output.WriteLine($"{attacker.What}: {string.Join(" | ", status.GetProperty("errors").EnumerateArray().Select(e => e.GetString()))}");
        }

        var answered = 0;
        foreach (var path in new[] { "/", "/login", "/x" })
        {
            foreach (var spelled in new[] { host, host.ToUpperInvariant() })
            {
                for (var i = 0; i < 20; i++)
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(edge.Proxy, path));
                    request.Headers.Host = spelled;
                    using var response = await _http.SendAsync(request);
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    Assert.Contains(LoadGenerator.TaskIdOf(await response.Content.ReadAsStringAsync()), victimTasks);
                    answered++;
                }
            }
        }

        Assert.Contains(attackers, a => a.Error.Contains("no host"));
        Measurements.Record(output, "tenants",
            $"{attackers.Count} services tried to capture another's host ({string.Join("; ", attempts.Select(a => a.What))}): " +
            $"all refused with an error; the victim answered {answered} of {answered} requests");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _services.DisposeAsync();
    }
}
