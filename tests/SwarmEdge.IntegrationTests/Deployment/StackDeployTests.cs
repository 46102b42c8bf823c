using System.Net;
using SwarmEdge.IntegrationTests.Lab;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Deployment;

/// <summary>
/// The production shape, end to end on the three-node lab: the image built from ./Dockerfile (its air-gapped
/// target, on the local Debian base), the socket proxy from deploy/socket-proxy, stack.yml and the demo stack
/// examples/whoami.yml deployed with docker stack deploy. Only the edge node n1 publishes a port; the edge reads
/// the API but cannot write it; nothing runs as root, with a writable root or with capabilities.
/// </summary>
[Collection(MultiNodeSwarmCollection.Name)]
public sealed class StackDeployTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Stack = "it-stack";
    private const string Demo = "it-demo";

    [Fact]
    public async Task Stack_deploys_serves_through_the_edge_node_only_and_the_edge_cannot_write_the_api()
    {
        await ProductionImages.EnsureAsync();
        await MultiNodeSwarm.WaitHealthyAsync();
        var stackFile = await ProductionStack.StackFileAsync(output);
        await ProductionStack.DeployAsync(output, stackFile, Stack);
        await ProductionStack.DeployAsync(output, Path.Combine("examples", "whoami.yml"), Demo);

        // One edge task, on n1; a socket proxy per manager; three demo tasks.
        await ProductionStack.WaitRunningAsync(output, TimeSpan.FromSeconds(120), (Stack, "edge", 1), (Stack, "socket-proxy", 3), (Demo, "whoami", 3));
        var edgeNodes = (await MultiNodeSwarm.Docker(1, "service", "ps", $"{Stack}_edge", "--filter", "desired-state=running", "--format", "{{.Node}}")).Trimmed;
        Assert.Equal(MultiNodeSwarm.HostnameOf(1), edgeNodes);

        // Clients reach the demo service through the edge node's port 80.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        string body = "";
        await Eventually.HoldsAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{MultiNodeSwarm.AddressOf(1)}/hello");
            request.Headers.Host = "whoami.localhost";
            try
            {
                using var response = await http.SendAsync(request);
                body = await response.Content.ReadAsStringAsync();
                return response.StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "the demo service answers through the edge node's port 80");
        // The demo tasks' host name is their container ID: the answer came from one of them.
        var demo = await new SwarmServices(MultiNodeSwarm.Network, MultiNodeSwarm.HostOf(1)).RunningTasksAsync($"{Demo}_whoami");
        Assert.Contains(body.Split(' ')[0], demo.Select(t => t.ContainerId[..12]));
        Assert.Equal("/hello", body.Split(' ')[1].Trim());

        // No other node publishes anything: nothing listens on their port 80, and no service but the edge has ports.
        foreach (var node in new[] { 2, 3 })
        {
            Assert.False(await TcpPort.AcceptsAsync(MultiNodeSwarm.AddressOf(node), 80, TimeSpan.FromSeconds(3)), $"n{node} accepts connections on port 80");
        }

        foreach (var service in new[] { $"{Stack}_socket-proxy", $"{Demo}_whoami" })
        {
            Assert.Equal("[]", (await MultiNodeSwarm.Docker(1, "service", "inspect", service, "--format", "{{json .Endpoint.Ports}}")).Trimmed.Replace("null", "[]"));
        }

        Assert.Contains("\"PublishMode\":\"host\"", (await MultiNodeSwarm.Docker(1, "service", "inspect", $"{Stack}_edge", "--format", "{{json .Endpoint.Ports}}")).Trimmed);

        // From inside the edge's network namespace: the API answers reads and refuses writes.
        var edgeContainer = (await MultiNodeSwarm.Docker(1, "ps", "-q", "--filter", $"label=com.docker.swarm.service.name={Stack}_edge")).Trimmed;
        var pid = (await MultiNodeSwarm.Docker(1, "inspect", "-f", "{{.State.Pid}}", edgeContainer)).Trimmed;
        var proxyIp = (await Shell.RunAsync("nsenter", ["-t", pid, "-n", "dig", "+short", "@127.0.0.11", "socket-proxy"])).Trimmed.Split('\n')[0];
        const string optedIn = "filters=%7B%22label%22%3A%7B%22swarmedge.enable%22%3Atrue%7D%7D";
        Assert.Equal("200", await CurlAsync(pid, "GET", $"http://{proxyIp}:2375/v1.41/services?{optedIn}"));
        Assert.Equal("403", await CurlAsync(pid, "GET", $"http://{proxyIp}:2375/v1.41/services"));
        Assert.Equal("403", await CurlAsync(pid, "POST", $"http://{proxyIp}:2375/v1.41/services/create"));
        Assert.Equal("403", await CurlAsync(pid, "DELETE", $"http://{proxyIp}:2375/v1.41/services/{Demo}_whoami"));
        Assert.Equal("403", await CurlAsync(pid, "GET", $"http://{proxyIp}:2375/v1.41/secrets"));

        // Hardening as deployed: no root, read-only root file systems, no capabilities; the proxies healthy;
        // the control network encrypted.
        foreach (var service in new[] { "edge", "socket-proxy" })
        {
            var container = (await MultiNodeSwarm.Docker(1, "ps", "-q", "--filter", $"label=com.docker.swarm.service.name={Stack}_{service}")).Trimmed;
            var settings = (await MultiNodeSwarm.Docker(1, "inspect", "-f", "{{.Config.User}}|{{.HostConfig.ReadonlyRootfs}}|{{.HostConfig.CapDrop}}", container)).Trimmed;
            output.WriteLine($"{service}: {settings}");
            var fields = settings.Split('|');
            Assert.NotEqual("", fields[0]);
            Assert.False(fields[0] is "root" or "0" || fields[0].StartsWith("root:", StringComparison.Ordinal) || fields[0].StartsWith("0:", StringComparison.Ordinal), settings);
            Assert.Equal("true", fields[1]);
            Assert.Contains("ALL", fields[2]);
        }

        var proxyContainer = (await MultiNodeSwarm.Docker(1, "ps", "-q", "--filter", $"label=com.docker.swarm.service.name={Stack}_socket-proxy")).Trimmed;
        await Eventually.HoldsAsync(async () => (await MultiNodeSwarm.Docker(1, "inspect", "-f", "{{.State.Health.Status}}", proxyContainer)).Trimmed == "healthy",
            TimeSpan.FromSeconds(60), "the socket proxy on n1 is healthy");
        var controlOptions = (await MultiNodeSwarm.Docker(1, "network", "inspect", $"{Stack}_control", "--format", "{{json .Options}}")).Trimmed;
        Assert.Equal(stackFile.EndsWith("/stack.yml", StringComparison.Ordinal), controlOptions.Contains("\"encrypted\"", StringComparison.Ordinal));

        // And the audit agrees: no port published through the routing mesh, only the edge node publishes.
        var audit = await Shell.RunAsync(RepoPaths.SwarmEdgeBinary, ["audit", "--docker", MultiNodeSwarm.HostOf(1)], check: false);
        output.WriteLine(audit.Output);
        Assert.Equal(0, audit.ExitCode);
        Assert.Contains("nothing is exposed outside the edge nodes", audit.Output);
        Measurements.Record(output, "stack.yml on the three-node lab",
            $"served through n1:80 only; n2, n3 closed; socket proxy: GET 200, POST/DELETE 403; audit exit {audit.ExitCode}");
    }

    private static async Task<string> CurlAsync(string pid, string method, string url) =>
        (await Shell.RunAsync("nsenter", ["-t", pid, "-n", "curl", "-s", "-m", "5", "-o", "/dev/null", "-w", "%{http_code}", "-X", method, url], check: false)).Trimmed;

    public async Task InitializeAsync()
    {
        // The production shape this test checks has n1 as the only edge node, whatever an earlier run left.
        await MultiNodeSwarm.SetEdgeLabelAsync(2, false);
        await MultiNodeSwarm.SetEdgeLabelAsync(3, false);
        await RemoveStackAsync();
    }

    public Task DisposeAsync() => RemoveStackAsync();

    private static Task RemoveStackAsync() => ProductionStack.RemoveAsync(TimeSpan.FromSeconds(90), Demo, Stack);
}
