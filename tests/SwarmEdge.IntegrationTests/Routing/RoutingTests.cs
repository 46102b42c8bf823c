using System.Net;
using SwarmEdge.IntegrationTests.Lab;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Routing;

/// <summary>Routes come from service labels: by Host, by path prefix, by service name; gone with the service.</summary>
[Collection(SingleNodeSwarmCollection.Name)]
public sealed class RoutingTests(SingleNodeSwarm swarm, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly SwarmServices _services = swarm.NewServices();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    [Fact]
    public async Task Routes_by_host_by_path_and_by_service_name()
    {
        var a = SwarmServices.UniqueName("host");
        var b = SwarmServices.UniqueName("path");
        var c = SwarmServices.UniqueName("name");
        await _services.CreateAsync(a, 1, SwarmServices.Labels(80, ("swarmedge.http.host", $"{a}.test, www.{a}.test")));
        await _services.CreateAsync(b, 1, SwarmServices.Labels(80,
            ("swarmedge.http.path", $"/{b}/"),
            ("swarmedge.http.strip-prefix", "true"),
            ("swarmedge.http.routers.admin.host", $"{b}.test"),
            ("swarmedge.http.routers.admin.path", "/admin")));
        await _services.CreateAsync(c, 1, SwarmServices.Labels());
        await WaitForEndpointsAsync(a, b, c);

        var aTasks = await TaskIdsAsync(a);
        var bTasks = await TaskIdsAsync(b);
        var cTasks = await TaskIdsAsync(c);

        var byHost = await GetAsync($"{a}.test", "/hello");
        Assert.Equal(HttpStatusCode.OK, byHost.Status);
        Assert.Contains(byHost.Task, aTasks);
        Assert.Equal("/hello", byHost.Uri);

        Assert.Contains((await GetAsync($"WWW.{a}.test", "/")).Task, aTasks);

        // Path prefix on any host, with the prefix stripped before the task sees the request.
        var byPath = await GetAsync("anything.test", $"/{b}/x?y=1");
        Assert.Equal(HttpStatusCode.OK, byPath.Status);
        Assert.Contains(byPath.Task, bTasks);
        Assert.Equal("/x?y=1", byPath.Uri);

        // A second router of the same service: host and path, prefix kept.
        var byRouter = await GetAsync($"{b}.test", "/admin/users");
        Assert.Contains(byRouter.Task, bTasks);
        Assert.Equal("/admin/users", byRouter.Uri);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync($"{b}.test", "/other")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync("anything.test", $"/{b}x")).Status);

        // No rule: Host equal to the service name.
        var byName = await GetAsync(c, "/");
        Assert.Equal(HttpStatusCode.OK, byName.Status);
        Assert.Contains(byName.Task, cTasks);

        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync("nobody.test", "/")).Status);
    }

    [Fact]
    public async Task Removing_a_service_removes_its_route()
    {
        var name = SwarmServices.UniqueName("rm");
        await _services.CreateAsync(name, 2, SwarmServices.Labels());
        await WaitForEndpointsAsync(name);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(name, "/")).Status);

        var removedAt = DateTime.UtcNow;
        await _services.RemoveAsync(name);
        await Eventually.HoldsAsync(async () => (await GetAsync(name, "/")).Status == HttpStatusCode.NotFound,
            TimeSpan.FromSeconds(10), $"{name} answers 404 after docker service rm");
        Measurements.Record(output, "service rm", $"route gone (404) {(DateTime.UtcNow - removedAt).TotalSeconds:0.00} s after docker service rm returned");
        Assert.Null(await swarm.Edge.ServiceAsync(name));
    }

    [Fact]
    public async Task An_invalid_label_is_reported_while_other_services_keep_serving()
    {
        var good = SwarmServices.UniqueName("good");
        var bad = SwarmServices.UniqueName("bad");
        await _services.CreateAsync(good, 1, SwarmServices.Labels());
        await _services.CreateAsync(bad, 1, new Dictionary<string, string>
        {
            ["swarmedge.enable"] = "true",
            ["swarmedge.http.port"] = "eighty",
        });
        await WaitForEndpointsAsync(good);

        await Eventually.HoldsAsync(async () => await swarm.Edge.ServiceAsync(bad) is not null, TimeSpan.FromSeconds(10),
            $"{bad} is listed on the admin API");
        var badStatus = (await swarm.Edge.ServiceAsync(bad))!.Value;
        Assert.False(badStatus.GetProperty("routed").GetBoolean());
        var error = Assert.Single(badStatus.GetProperty("errors").EnumerateArray()).GetString();
        Assert.Contains("swarmedge.http.port=\"eighty\"", error);
        Assert.Contains($"Service {bad}: label swarmedge.http.port=\"eighty\"", swarm.Edge.Log);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(bad, "/")).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(good, "/")).Status);

        // Breaking the labels of a service that serves keeps its last good routes, and says so.
        await _services.UpdateAsync(good, "--label-add", "swarmedge.http.path=no-slash");
        await Eventually.HoldsAsync(async () =>
                (await swarm.Edge.ServiceAsync(good))?.GetProperty("usesLastGoodRouting").GetBoolean() == true,
            TimeSpan.FromSeconds(10), $"{good} falls back to its last good routing");
        var goodStatus = (await swarm.Edge.ServiceAsync(good))!.Value;
        Assert.Contains(goodStatus.GetProperty("errors").EnumerateArray(),
            e => e.GetString()!.Contains("swarmedge.http.path=\"no-slash\""));
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(good, "/")).Status);

        // Fixing the label clears the error.
        await _services.UpdateAsync(good, "--label-rm", "swarmedge.http.path");
        await Eventually.HoldsAsync(async () =>
                (await swarm.Edge.ServiceAsync(good))?.GetProperty("errors").GetArrayLength() == 0,
            TimeSpan.FromSeconds(10), $"{good} has no errors once the label is fixed");
    }

    private async Task WaitForEndpointsAsync(params string[] names)
    {
        foreach (var name in names)
        {
            var expected = (await _services.RunningTasksAsync(name)).Count;
            await Eventually.HoldsAsync(async () => await swarm.Edge.EndpointCountAsync(name) == expected,
                TimeSpan.FromSeconds(15), $"SwarmEdge lists {expected} endpoints for {name}");
        }
    }

    private async Task<HashSet<string>> TaskIdsAsync(string service) =>
        (await _services.RunningTasksAsync(service)).Select(t => t.Id).ToHashSet();

    private async Task<(HttpStatusCode Status, string Task, string Uri)> GetAsync(string host, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(swarm.Edge.Proxy, path));
        request.Headers.Host = host;
        using var response = await _http.SendAsync(request);
        var body = (await response.Content.ReadAsStringAsync()).Trim();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return (response.StatusCode, "", "");
        }

        var parts = body.Split(' ', 2);
        return (response.StatusCode, LoadGenerator.TaskIdOf(body), parts.Length > 1 ? parts[1] : "");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _services.DisposeAsync();
    }
}
