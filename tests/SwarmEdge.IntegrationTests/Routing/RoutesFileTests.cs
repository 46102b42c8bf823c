using System.Net;
using System.Text;
using System.Text.Json;
using SwarmEdge.IntegrationTests.Hostile;
using SwarmEdge.IntegrationTests.Lab;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Routing;

/// <summary>
/// SwarmEdge:Discovery:RoutesFile through the real binary: a backend outside the swarm (an HTTP server on the lab
/// host, reached from the edge's network namespace), routed by a file the test rewrites while the edge runs.
/// </summary>
[Collection(SingleNodeSwarmCollection.Name)]
public sealed class RoutesFileTests(SingleNodeSwarm swarm, ITestOutputHelper output) : IAsyncLifetime
{
    private const int EdgePort = 18480; // admin +1
    private const int BackendPort = 18482;

    private readonly SwarmServices _services = swarm.NewServices();
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"it-routes-{Guid.NewGuid():N}.yml");
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };
    private LabHttpServer? _backend;
    private SwarmEdgeProcess? _edge;

    [Fact]
    public async Task A_backend_outside_the_swarm_is_served_from_the_file_reloaded_live_and_a_broken_file_keeps_the_last_good_routes()
    {
        var hostAddress = await swarm.Sidecar.HostAddressAsync();
        var id = Guid.NewGuid().ToString("N")[..8];
        var host = $"erp-{id}.test";
        StartBackend();
        await WriteAsync($"""
            services:
              erp:
                addresses: [{hostAddress}]
                labels:
                  swarmedge.http.port: "{BackendPort}"
                  swarmedge.http.host: {host}
            """);
        _edge = await ProductionEdge.StartAsync(swarm, EdgePort, new() { ["SwarmEdge:Discovery:RoutesFile"] = _file });

        var first = await GetEventuallyAsync(host, "/orders", r => r.Status == HttpStatusCode.OK);
        Assert.Equal("static /orders", first.Body);

        // Reloaded live: a middleware from the file itself, and a second host.
        var changed = DateTime.UtcNow;
        await WriteAsync($"""
            middlewares:
              stamp:
                headers.request.set.X-Team: from-file
            services:
              erp:
                addresses: [{hostAddress}]
                labels:
                  swarmedge.http.port: "{BackendPort}"
                  swarmedge.http.host: {host},www.{host}
                  swarmedge.http.middlewares: api
                  swarmedge.middlewares.api.add-prefix.prefix: /api
            """);
        var reloaded = await GetEventuallyAsync($"www.{host}", "/orders", r => r.Body == "static /api/orders");
        var reloadedAfter = DateTime.UtcNow - changed;

        // A swarm service names the file's shared middleware as stamp@file (its own "stamp" would be its stack's).
        var web = SwarmServices.UniqueName("rf-web");
        await _services.CreateAsync(web, 1, SwarmServices.Labels(80, ("swarmedge.http.host", $"{web}.test"), ("swarmedge.http.middlewares", "stamp@file")));
        await ProductionEdge.WaitForEndpointsAsync(_edge, web, 1);
        using (var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_edge.Proxy, "/")))
        {
            request.Headers.Host = $"{web}.test";
            using var stamped = await _http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, stamped.StatusCode);
            Assert.Equal("from-file", string.Join(",", stamped.Headers.GetValues("X-Seen-Team")));
        }

        // A broken file: the last good routes keep serving and the admin API says why.
        await WriteAsync("services:\n  erp:\n    addresses: [not-an-address]\n");
        await Eventually.HoldsAsync(async () => (await RoutesFileStatusAsync()).GetProperty("error").GetString() is { } e && e.Contains("not-an-address", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "the admin API names the broken file's error");
        var kept = await GetAsync(host, "/orders");
        Assert.Equal((HttpStatusCode.OK, "static /api/orders"), (kept.Status, kept.Body));

        // A swarm service claiming the file's host does not take it.
        var squatter = SwarmServices.UniqueName("rf-squat");
        await _services.CreateAsync(squatter, 1, SwarmServices.Labels(80, ("swarmedge.http.host", host)));
        await ProductionEdge.WaitForEndpointsAsync(_edge, squatter, 1);
        Assert.Equal("static /api/orders", (await GetAsync(host, "/orders")).Body);
        var squatterErrors = (await _edge.ServiceAsync(squatter))!.Value.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains(squatterErrors, e => e.Contains("erp@file", StringComparison.Ordinal));

        // Fixed by removing the service: its routes go.
        await WriteAsync("services: {}\n");
        await GetEventuallyAsync(host, "/orders", r => r.Status == HttpStatusCode.NotFound || r.Body.Contains(squatter, StringComparison.Ordinal));
        Assert.Null((await RoutesFileStatusAsync()).GetProperty("error").GetString());

        Measurements.Record(output, "routes file",
            $"a backend outside the swarm served from the file; a change applied {reloadedAfter.TotalSeconds:0.0} s after it was written " +
            $"({reloaded.Body}); a swarm service using the file's middleware as stamp@file; a broken file: last good routes kept, its error on /api/services; a swarm service claiming the file's host refused");
    }

    private async Task WriteAsync(string text)
    {
        // As an operator's tool would: a new file renamed over the old one.
        var next = _file + ".next";
        await File.WriteAllTextAsync(next, text);
        File.Move(next, _file, overwrite: true);
    }

    private async Task<JsonElement> RoutesFileStatusAsync()
    {
        using var response = await _edge!.GetAdminAsync("api/services");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone().GetProperty("routesFile");
    }

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(string host, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_edge!.Proxy, path));
        request.Headers.Host = host;
        using var response = await _http.SendAsync(request);
        return (response.StatusCode, (await response.Content.ReadAsStringAsync()).Trim());
    }

    private async Task<(HttpStatusCode Status, string Body)> GetEventuallyAsync(string host, string path, Func<(HttpStatusCode Status, string Body), bool> wanted)
    {
        (HttpStatusCode, string) last = default;
        await Eventually.HoldsAsync(async () => wanted(last = await GetAsync(host, path)), TimeSpan.FromSeconds(20), $"{host}{path} answers as wanted (last: {last})");
        return last;
    }

    /// <summary>The backend outside the swarm: answers "static &lt;path&gt;" on every address of the lab host.</summary>
    private void StartBackend() => _backend = LabHttpServer.Start(BackendPort, async context =>
    {
        var body = Encoding.UTF8.GetBytes($"static {context.Request.RawUrl}\n");
        context.Response.ContentType = "text/plain";
        context.Response.ContentLength64 = body.Length;
        await context.Response.OutputStream.WriteAsync(body);
    });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_edge is not null)
        {
            await _edge.DisposeAsync();
        }

        _backend?.Dispose();
        await _services.DisposeAsync();
        File.Delete(_file);
    }
}
