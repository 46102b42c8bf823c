using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using SwarmEdge.IntegrationTests.Lab;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Routing;

/// <summary>
/// A service's routers with limits of their own (swarmedge.http.routers.&lt;r&gt;.timeout and .max-body-size) beside
/// the service's, through the real binary to a task that answers a path /wait/&lt;seconds&gt; that late.
/// </summary>
[Collection(SingleNodeSwarmCollection.Name)]
public sealed class RouteLimitTests(SingleNodeSwarm swarm, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Image = "swarmedge-lab/tcpecho:latest";
    private const string SlowHttp = "socat TCP-LISTEN:80,fork,reuseaddr EXEC:/usr/local/bin/http-with-delay";

    private readonly SwarmServices _services = swarm.NewServices();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task Each_router_keeps_its_own_timeout_and_body_size_and_the_others_take_the_service_s()
    {
        var name = SwarmServices.UniqueName("limits");
        var host = $"{name}.test";
        await _services.CreateFromAsync(Image, name, 1, SwarmServices.Labels(80,
            ("swarmedge.http.host", host),
            ("swarmedge.http.timeout", "1s"),
            ("swarmedge.http.max-body-size", "1KB"),
            ("swarmedge.http.routers.reports.host", host),
            ("swarmedge.http.routers.reports.path", "/reports"),
            ("swarmedge.http.routers.reports.strip-prefix", "true"),
            ("swarmedge.http.routers.reports.timeout", "10s"),
            ("swarmedge.http.routers.upload.host", host),
            ("swarmedge.http.routers.upload.path", "/upload"),
            ("swarmedge.http.routers.upload.max-body-size", "64KB"),
            ("swarmedge.http.routers.one.host", host),
            ("swarmedge.http.routers.one.path", "/one"),
            ("swarmedge.http.routers.one.strip-prefix", "true"),
            ("swarmedge.http.routers.one.middlewares", "one-at-a-time"),
            ("swarmedge.http.routers.one.timeout", "10s"),
            ("swarmedge.middlewares.one-at-a-time.in-flight.limit", "1")), "--entrypoint", SlowHttp);
        await Eventually.HoldsAsync(async () => await swarm.Edge.EndpointCountAsync(name) == 1,
            TimeSpan.FromSeconds(30), $"SwarmEdge lists 1 endpoint for {name}");

        // The service's 1 s: a task silent for 3 s is a 504 after about 1 s, and is not sent the request again.
        var (timedOut, timedOutAfter) = await SendAsync(HttpMethod.Get, host, "/wait/3/x");
        Assert.Equal(HttpStatusCode.GatewayTimeout, timedOut);
        Assert.InRange(timedOutAfter, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(2.9));
        Assert.Equal(0, await swarm.Edge.MetricAsync($"swarmedge_retries_total{{route=\"{name}/default\"}}"));

        // The reports router's own 10 s: the same wait is answered.
        var (patient, patientAfter) = await SendAsync(HttpMethod.Get, host, "/reports/wait/3");
        Assert.Equal(HttpStatusCode.OK, patient);
        Assert.True(patientAfter >= TimeSpan.FromSeconds(3), $"answered after {patientAfter}");

        // Bodies: 2 KB is over the service's 1 KB on the default router, within the upload router's 64 KB.
        var (tooLarge, _) = await SendAsync(HttpMethod.Post, host, "/form", new string('x', 2048));
        var (uploaded, _) = await SendAsync(HttpMethod.Post, host, "/upload", new string('x', 2048));
        var (overUpload, _) = await SendAsync(HttpMethod.Post, host, "/upload", new string('x', 65 * 1024));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge);
        Assert.Equal(HttpStatusCode.OK, uploaded);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, overUpload);

        // An in-flight limit of 1: a second request while the first waits is refused at once, a third after it is served.
        var first = SendAsync(HttpMethod.Get, host, "/one/wait/2");
        // Held by this service's task (the edge's own in-flight count includes other tests' requests).
        await Eventually.HoldsAsync(async () => await InFlightAsync(name) >= 1, TimeSpan.FromSeconds(5), "the first request is in flight");
        var (second, secondAfter) = await SendAsync(HttpMethod.Get, host, "/one/x");
        var (firstStatus, _) = await first;
        var (third, _) = await SendAsync(HttpMethod.Get, host, "/one/x");
        Assert.Equal((HttpStatusCode.TooManyRequests, HttpStatusCode.OK, HttpStatusCode.OK), (second, firstStatus, third));
        Assert.True(secondAfter < TimeSpan.FromSeconds(1), $"refused after {secondAfter}");

        Measurements.Record(output, "per-router limits",
            $"timeout 1s: 504 after {timedOutAfter.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s, not retried; " +
            $"router timeout 10s: 200 after {patientAfter.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s; " +
            "2 KB body: 413 on the service's 1 KB, 200 on the upload router's 64 KB, 65 KB there: 413; " +
            $"in-flight 1: a second request while the first waited: 429 after {secondAfter.TotalMilliseconds:0} ms, the first 200, a third after it 200");
    }

    /// <summary>The requests the edge has sent to the service's tasks and not seen answered yet (the dashboard's endpoint rows).</summary>
    private async Task<int> InFlightAsync(string service)
    {
        using var response = await swarm.Edge.GetAdminAsync($"api/dashboard/services/{service}");
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("endpoints").EnumerateArray().Sum(e => e.GetProperty("inFlight").GetInt32());
    }

    private async Task<(HttpStatusCode Status, TimeSpan Elapsed)> SendAsync(HttpMethod method, string host, string path, string? body = null)
    {
        var started = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(method, new Uri(swarm.Edge.Proxy, path));
        request.Headers.Host = host;
        if (body is not null)
        {
            request.Content = new StringContent(body);
        }

        using var response = await _http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        return (response.StatusCode, started.Elapsed);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _services.DisposeAsync();
    }
}
