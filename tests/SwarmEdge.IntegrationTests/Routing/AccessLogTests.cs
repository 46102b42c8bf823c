using System.Net;
using System.Text.Json;
using SwarmEdge.IntegrationTests.Hostile;
using SwarmEdge.IntegrationTests.Lab;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Routing;

/// <summary>SwarmEdge:AccessLog through the real binary: one JSON line per request, naming the task that answered it.</summary>
[Collection(SingleNodeSwarmCollection.Name)]
public sealed class AccessLogTests(SingleNodeSwarm swarm, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Port = 18446; // proxy; admin +1
    private readonly SwarmServices _services = swarm.NewServices();
    private readonly string _file = Path.Combine(RepoPaths.Root, "artifacts", $"access-{Guid.NewGuid().ToString("N")[..8]}.log");
    private SwarmEdgeProcess? _edge;

    [Fact]
    public async Task Every_request_gets_one_json_line_with_its_route_service_and_the_task_that_answered()
    {
        _edge = await ProductionEdge.StartAsync(swarm, Port, new()
        {
            ["SwarmEdge:AccessLog:Enabled"] = "true",
            ["SwarmEdge:AccessLog:Path"] = _file,
        });
        var name = SwarmServices.UniqueName("log");
        var host = $"{name}.test";
        await _services.CreateAsync(name, 2, SwarmServices.Labels(80, ("swarmedge.http.host", host)));
        await ProductionEdge.WaitForEndpointsAsync(_edge, name, 2);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        var answered = new Dictionary<string, string>();
        for (var i = 0; i < 40; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_edge.Proxy, $"/r/{i}?q={i}"));
            request.Headers.Host = host;
            request.Headers.UserAgent.ParseAdd("access-log-test/1");
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            answered[$"/r/{i}"] = LoadGenerator.TaskIdOf(await response.Content.ReadAsStringAsync());
        }

        using (var unrouted = new HttpRequestMessage(HttpMethod.Get, new Uri(_edge.Proxy, "/nowhere")))
        {
            unrouted.Headers.Host = "nobody.test";
            Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(unrouted)).StatusCode);
        }

        List<JsonElement> lines = [];
        await Eventually.HoldsAsync(async () =>
        {
            lines = File.Exists(_file) ? [.. (await File.ReadAllLinesAsync(_file)).Select(l => JsonDocument.Parse(l).RootElement)] : [];
            return lines.Count >= 41;
        }, TimeSpan.FromSeconds(10), "41 lines are written");

        Assert.Equal(41, lines.Count);
        foreach (var (path, task) in answered)
        {
            var line = Assert.Single(lines, l => l.GetProperty("path").GetString() == path);
            Assert.Equal(task, line.GetProperty("task").GetString());
            Assert.Equal((host, 200, $"{name}/default", name, "access-log-test/1"), (line.GetProperty("host").GetString(), line.GetProperty("status").GetInt32(),
                line.GetProperty("route").GetString(), line.GetProperty("service").GetString(), line.GetProperty("user_agent").GetString()));
            Assert.StartsWith("?q=", line.GetProperty("query").GetString(), StringComparison.Ordinal);
            Assert.True(line.GetProperty("upstream_ms").GetDouble() > 0 && line.GetProperty("upstream_ms").GetDouble() <= line.GetProperty("duration_ms").GetDouble());
        }

        var notFound = Assert.Single(lines, l => l.GetProperty("path").GetString() == "/nowhere");
        Assert.Equal((404, JsonValueKind.Null), (notFound.GetProperty("status").GetInt32(), notFound.GetProperty("route").ValueKind));
        Measurements.Record(output, "access log (JSON to a file)",
            $"{lines.Count} lines for {lines.Count} requests, each with the task that answered it; median duration {Median(lines, "duration_ms"):0.000} ms, upstream {Median(lines, "upstream_ms"):0.000} ms");
    }

    private static double Median(List<JsonElement> lines, string field)
    {
        var values = lines.Select(l => l.GetProperty(field).GetDouble()).Order().ToList();
        return values[values.Count / 2];
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_edge is not null)
        {
            await _edge.DisposeAsync();
        }

        await _services.DisposeAsync();
        File.Delete(_file);
    }
}
