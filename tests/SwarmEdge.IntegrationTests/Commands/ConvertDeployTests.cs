using System.Net;
using System.Text.Json;
using SwarmEdge.IntegrationTests.Lab;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Commands;

/// <summary>
/// swarmedge convert on a realistic stack file, then the converted file deployed on the real swarm with
/// docker stack deploy: the services come up in dnsrr mode with SwarmEdge's labels, and the SwarmEdge of the
/// collection serves them.
/// </summary>
[Collection(SingleNodeSwarmCollection.Name)]
public sealed class ConvertDeployTests(SingleNodeSwarm swarm, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _stack = SwarmServices.UniqueName("cv");
    private readonly string _dir = Directory.CreateTempSubdirectory("swarmedge-convert-").FullName;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>
    /// Web and API publish through the routing mesh (short and long syntax, labels as a list and as a map); the
    /// network SwarmEdge is on is external, the stack's own network an overlay. Only the local lab image.
    /// </summary>
    private static string StackFile(string edgeNetwork) => $$$"""
        # Lab shop stack: web front and API behind the routing mesh.
        version: "3.8"

        services:
          # Web front
          web:
            image: {{{SwarmServices.Image}}}
            hostname: "{{.Task.Name}}"
            ports:
              - "18911:80"   # http
            networks:
              - edge
              - backend
            deploy:
              replicas: 2
              labels:
                - "com.example.team=web"

          # API, published with the long syntax
          api:
            image: {{{SwarmServices.Image}}}
            hostname: "{{.Task.Name}}"
            ports:
              - target: 80
                published: 18912
                protocol: tcp
                mode: ingress
            networks: [edge, backend]
            deploy:
              labels:
                com.example.team: api

        networks:
          edge:
            external: true
            name: {{{edgeNetwork}}}
          backend:
            driver: overlay
        """;

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_converted_stack_deploys_in_dnsrr_mode_with_the_labels_and_is_served_by_SwarmEdge()
    {
        var input = Path.Combine(_dir, "stack.yml");
        var converted = Path.Combine(_dir, "converted.yml");
        await File.WriteAllTextAsync(input, StackFile(SingleNodeSwarm.Network));

        var convert = await CommandRunner.SwarmEdgeAsync("convert", input, "-o", converted);
        output.WriteLine(convert.Error);
        Assert.Equal(0, convert.ExitCode);
        var text = await File.ReadAllTextAsync(converted);
        output.WriteLine(text);
        Assert.Contains("# Web front", text);
        Assert.DoesNotContain("# http", text); // the port line and its comment went together
        Assert.DoesNotContain("18911", text.Split('\n').Where(l => !l.TrimStart().StartsWith('#')));

        await Shell.DockerAsync("stack", "deploy", "--resolve-image", "never", "-c", converted, _stack);

        foreach (var (service, replicas) in new[] { ("web", 2), ("api", 1) })
        {
            var name = $"{_stack}_{service}";
            await new SwarmServices(SingleNodeSwarm.Network).WaitForRunningAsync(name, replicas, TimeSpan.FromSeconds(90));

            using var inspect = JsonDocument.Parse((await Shell.DockerAsync("service", "inspect", name, "--format", "{{json .}}")).Trimmed);
            var spec = inspect.RootElement.GetProperty("Spec");
            Assert.Equal("dnsrr", spec.GetProperty("EndpointSpec").GetProperty("Mode").GetString());
            var labels = spec.GetProperty("Labels");
            Assert.Equal("true", labels.GetProperty("swarmedge.enable").GetString());
            Assert.Equal("80", labels.GetProperty("swarmedge.http.port").GetString());
            Assert.Equal(service, labels.GetProperty("com.example.team").GetString());
            var ports = inspect.RootElement.TryGetProperty("Endpoint", out var endpoint) && endpoint.TryGetProperty("Ports", out var p)
                ? p.GetArrayLength()
                : 0;
            Assert.Equal(0, ports);

            // Served through SwarmEdge, by the service name (no host label), by one of its tasks.
            var tasks = (await new SwarmServices(SingleNodeSwarm.Network).RunningTasksAsync(name)).Select(t => t.Id).ToHashSet();
            await Eventually.HoldsAsync(async () => await swarm.Edge.EndpointCountAsync(name) == replicas,
                TimeSpan.FromSeconds(20), $"SwarmEdge lists {replicas} endpoints for {name}");
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(swarm.Edge.Proxy, "/converted"));
            request.Headers.Host = name;
            using var response = await _http.SendAsync(request);
            var body = (await response.Content.ReadAsStringAsync()).Trim();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains(LoadGenerator.TaskIdOf(body), tasks);
        }
    }

    public async Task DisposeAsync()
    {
        await Shell.RunAsync("docker", ["stack", "rm", _stack], check: false);
        _http.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
