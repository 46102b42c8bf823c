using System.Collections.Concurrent;
using System.Net;
using SwarmEdge.IntegrationTests.Hostile;
using SwarmEdge.IntegrationTests.Lab;
using SwarmEdge.IntegrationTests.Lab.Otlp;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Routing;

/// <summary>
/// SwarmEdge:Tracing through the real binary: an OTLP/HTTP receiver the test hosts on the lab host stands in for a
/// collector. A request that arrives with a traceparent continues that trace: the request's span names its route,
/// service and task, the task receives the trace with the edge's span as parent, and retries are events. Whether a
/// request is recorded is the edge's decision, not the client's flag.
/// </summary>
[Collection(SingleNodeSwarmCollection.Name)]
public sealed class TracingTests(SingleNodeSwarm swarm, ITestOutputHelper output) : IAsyncLifetime
{
    private const int EdgePort = 18470; // admin +1
    private const int CollectorPort = 18473;

    private readonly SwarmServices _services = swarm.NewServices();
    private LabHttpServer? _collector;
    private readonly ConcurrentBag<Span> _spans = [];
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
    private SwarmEdgeProcess? _edge;

    [Fact]
    public async Task A_request_s_span_names_its_route_service_and_task_the_task_gets_the_trace_and_retries_are_events()
    {
        StartCollector();
        var hostAddress = await swarm.Sidecar.HostAddressAsync();
        _edge = await ProductionEdge.StartAsync(swarm, EdgePort, new()
        {
            ["SwarmEdge:Tracing:Endpoint"] = $"http://{hostAddress}:{CollectorPort}",
            ["SwarmEdge:Tracing:SampleRatio"] = "1",
        });
        var name = SwarmServices.UniqueName("trace");
        var refusing = SwarmServices.UniqueName("trace-refused");
        await _services.CreateAsync(name, 2, SwarmServices.Labels(80, ("swarmedge.http.host", $"{name}.test")));
        // Its tasks listen on 80: every attempt on 81 is refused, and retried on the other task, then both again.
        await _services.CreateAsync(refusing, 2, SwarmServices.Labels(81, ("swarmedge.http.host", $"{refusing}.test")));
        await ProductionEdge.WaitForEndpointsAsync(_edge, name, 2);
        await ProductionEdge.WaitForEndpointsAsync(_edge, refusing, 2);

        // The client's trace: continued.
        var traceId = Convert.ToHexString(Guid.NewGuid().ToByteArray()).ToLowerInvariant();
        const string clientSpan = "00f067aa0ba902b7";
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_edge.Proxy, "/orders"));
        request.Headers.Host = $"{name}.test";
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId}-{clientSpan}-01");
        using var response = await _http.SendAsync(request);
        var seen = response.Headers.GetValues("X-Seen-Traceparent").Single();

        using var retried = new HttpRequestMessage(HttpMethod.Get, new Uri(_edge.Proxy, "/"));
        retried.Headers.Host = $"{refusing}.test";
        var retriedTrace = Convert.ToHexString(Guid.NewGuid().ToByteArray()).ToLowerInvariant();
        retried.Headers.TryAddWithoutValidation("traceparent", $"00-{retriedTrace}-{clientSpan}-01");
        using var failed = await _http.SendAsync(retried);

        // A client flagging its trace not sampled does not hide its request from the edge's ratio (1 here).
        using var unsampled = new HttpRequestMessage(HttpMethod.Get, new Uri(_edge.Proxy, "/"));
        unsampled.Headers.Host = $"{name}.test";
        var hiddenTrace = Convert.ToHexString(Guid.NewGuid().ToByteArray()).ToLowerInvariant();
        unsampled.Headers.TryAddWithoutValidation("traceparent", $"00-{hiddenTrace}-{clientSpan}-00");
        using var plain = await _http.SendAsync(unsampled);

        var server = await SpanAsync(traceId, kind: 2);
        var attempts = await SpanAsync(retriedTrace, kind: 2);
        var recorded = await SpanAsync(hiddenTrace, kind: 2);
        var client = _spans.First(s => Hex(s.TraceId) == traceId && s.Kind == 3);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(clientSpan, Hex(server.ParentSpanId));
        Assert.Equal($"GET {name}/default", server.Name);
        Assert.Equal($"{name}/default", Attribute(server, "swarmedge.route"));
        Assert.Equal(name, Attribute(server, "swarmedge.service"));
        Assert.Contains(Attribute(server, "swarmedge.task"), (await _services.RunningTasksAsync(name)).Select(t => t.Id));
        // The task got the trace, with the edge's span for the attempt as its parent.
        Assert.Equal($"00-{traceId}-{Hex(client.SpanId)}-01", seen);
        Assert.Equal(server.SpanId, client.ParentSpanId);

        Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        // Each attempt is a client span; every one after the first is a retry event on the server span (both tasks
        // refuse, so the request tries them again for the refused wait before its 502).
        var retries = attempts.Events.Where(e => e.Name == "swarmedge.retry").ToList();
        var attemptSpans = _spans.Count(s => Hex(s.TraceId) == retriedTrace && s.Kind == 3);
        Assert.True(attemptSpans > 2, $"{attemptSpans} attempts");
        Assert.Equal(attemptSpans - 1, retries.Count);
        Assert.Contains(retries[0].Attributes, a => a.Key == "swarmedge.task" && a.Value.StringValue.Length > 0);

        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal(clientSpan, Hex(recorded.ParentSpanId));
        Measurements.Record(output, "tracing (OTLP/HTTP to a stand-in receiver)",
            $"a request with a sampled traceparent: server span {server.Name} with route, service and task, a client span per attempt, the task saw {seen}; " +
            $"a request refused by both tasks: {attemptSpans} attempts, {retries.Count} retry events, {attempts.Events.Count} events in all; a client's traceparent flagged not sampled: recorded at the edge's ratio 1");
    }

    private async Task<Span> SpanAsync(string traceId, int kind)
    {
        Span? found = null;
        await Eventually.HoldsAsync(() => (found = _spans.FirstOrDefault(s => Hex(s.TraceId) == traceId && s.Kind == kind)) is not null,
            TimeSpan.FromSeconds(20), $"the receiver has the span of trace {traceId}");
        return found!;
    }

    private static string Hex(Google.Protobuf.ByteString bytes) => Convert.ToHexString(bytes.ToByteArray()).ToLowerInvariant();

    private static string? Attribute(Span span, string key) => span.Attributes.FirstOrDefault(a => a.Key == key)?.Value.StringValue;

    /// <summary>OTLP/HTTP's trace endpoint: POST /v1/traces with an ExportTraceServiceRequest, answered 200.</summary>
    private void StartCollector() => _collector = LabHttpServer.Start(CollectorPort, async context =>
    {
        using var body = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(body);
        if (context.Request.Url?.AbsolutePath == "/v1/traces")
        {
            foreach (var span in ExportTraceServiceRequest.Parser.ParseFrom(body.ToArray()).ResourceSpans.SelectMany(r => r.ScopeSpans).SelectMany(s => s.Spans))
            {
                _spans.Add(span);
            }
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/x-protobuf";
    });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_edge is not null)
        {
            await _edge.DisposeAsync();
        }

        _collector?.Dispose();
        await _services.DisposeAsync();
    }
}
