using SwarmEdge.IntegrationTests.Hostile;
using SwarmEdge.IntegrationTests.Lab;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Commands;

/// <summary>swarmedge status against the lab's running edge, as an operator in an ssh session would run it.</summary>
[Collection(SingleNodeSwarmCollection.Name)]
public sealed class StatusCommandTests(SingleNodeSwarm swarm, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly SwarmServices _services = swarm.NewServices();

    [Fact]
    public async Task Status_prints_what_the_edge_serves_and_the_broken_service_s_error_and_exits_1()
    {
        var good = SwarmServices.UniqueName("st-good");
        var broken = SwarmServices.UniqueName("st-broken");
        await _services.CreateAsync(good, 2, SwarmServices.Labels(80, ("swarmedge.http.host", $"{good}.test")));
        await _services.CreateAsync(broken, 1, SwarmServices.Labels(80, ("swarmedge.http.host", $"{broken}.test"), ("swarmedge.http.timeout", "soon")));
        await ProductionEdge.WaitForEndpointsAsync(swarm.Edge, good, 2);
        await Eventually.HoldsAsync(async () => await swarm.Edge.ServiceAsync(broken) is not null, TimeSpan.FromSeconds(20), $"the edge lists {broken}");

        var all = await CommandRunner.SwarmEdgeAsync("status", "--url", swarm.Edge.Admin.ToString(), "--token-file", SwarmEdgeProcess.AdminTokenFile);
        var one = await CommandRunner.SwarmEdgeAsync("status", "--url", swarm.Edge.Admin.ToString(), "--token-file", SwarmEdgeProcess.AdminTokenFile, "--service", good);
        var noToken = await CommandRunner.SwarmEdgeAsync("status", "--url", swarm.Edge.Admin.ToString(), "--token-file", "");
        output.WriteLine(all.Output);

        Assert.Equal(1, all.ExitCode);
        Assert.Contains("edge:         ready", all.Output, StringComparison.Ordinal);
        Assert.Matches($@"(?m)^{good} +serving +2  {good}\.test$", all.Output);
        Assert.Matches($@"(?m)^{broken} +unrouted +0  -$", all.Output);
        Assert.Contains($"  error: label swarmedge.http.timeout=\"soon\": must be a duration from 100ms to 1h", all.Output, StringComparison.Ordinal);
        Assert.Equal(2, one.Output.Split('\n').Count(l => l.StartsWith("  endpoint ", StringComparison.Ordinal)));
        Assert.Equal(2, noToken.ExitCode);
        Assert.Contains("401", noToken.Error, StringComparison.Ordinal);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _services.DisposeAsync().AsTask();
}
