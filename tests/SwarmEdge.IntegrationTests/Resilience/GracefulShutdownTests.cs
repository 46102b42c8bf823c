using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using SwarmEdge.IntegrationTests.Hostile;
using SwarmEdge.IntegrationTests.Lab;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Resilience;

/// <summary>
/// SIGTERM to SwarmEdge with a request in flight and clients still sending: it turns unready at once (on the
/// admin API and on the probe port a floating IP's track script or a load balancer asks), keeps
/// serving for its grace (each HTTP/1.1 answer asking the client to reconnect), lets the request in flight
/// finish, and exits 0. What outlives the drain (a long poll, a WebSocket, a TCP connection) is cut when it ends.
/// </summary>
[Collection(SingleNodeSwarmCollection.Name)]
public sealed class GracefulShutdownTests(SingleNodeSwarm swarm, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Port = 18196;
    private const int ProbePort = 18198;
    private const int DrainPort = 18230; // proxy; admin +1
    private const int TcpEntrypoint = 17030;
    private const string Image = "swarmedge-lab/tcpecho:latest";
    private const string SlowHttp = "socat TCP-LISTEN:80,fork,reuseaddr EXEC:/usr/local/bin/http-with-delay";
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(3);
    private readonly SwarmServices _services = swarm.NewServices();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task A_stopped_edge_turns_unready_serves_through_its_grace_finishes_requests_in_flight_and_exits_0()
    {
        var name = SwarmServices.UniqueName("stop");
        await _services.CreateFromAsync(Image, name, 2, SwarmServices.Labels(80, ("swarmedge.http.host", $"{name}.test")), "--entrypoint", SlowHttp);
        var edge = await ProductionEdge.StartAsync(swarm, Port, new()
        {
            ["SwarmEdge:Shutdown:Grace"] = Grace.ToString(),
            ["SwarmEdge:Shutdown:Drain"] = "00:00:10",
            ["SwarmEdge:Admin:ProbePort"] = ProbePort.ToString(),
        });
        await using var _ = edge;
        await ProductionEdge.WaitForEndpointsAsync(edge, name, 2);
        Assert.Equal(HttpStatusCode.OK, (await edge.GetAdminAsync("readyz")).StatusCode);

        // The probe port, on every address: the probes and nothing else, even with the admin token.
        var probes = new Uri($"http://{swarm.Sidecar.Address}:{ProbePort}/");
        Assert.Equal("ready\n", await _http.GetStringAsync(new Uri(probes, "readyz")));
        Assert.Equal("ok\n", await _http.GetStringAsync(new Uri(probes, "healthz")));
        foreach (var path in new[] { "metrics", "api/services", "api/certificates", "" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(probes, path));
            request.Headers.Authorization = new("Bearer", SwarmEdgeProcess.AdminToken);
            Assert.Equal(HttpStatusCode.NotFound, (await _http.SendAsync(request)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await _http.PostAsync(new Uri(probes, "readyz"), null)).StatusCode);

        // A request that takes 6 s, sent before the stop and answered after the grace.
        var inFlight = GetAsync(edge, name, "/wait/6/in-flight");
        await Eventually.HoldsAsync(async () => await edge.MetricAsync("swarmedge_requests_in_flight") >= 1,
            TimeSpan.FromSeconds(10), "the long request is in flight");

        var stop = Stopwatch.StartNew();
        await edge.TerminateAsync();
        await Eventually.HoldsAsync(async () => (await edge.GetAdminAsync("readyz")).StatusCode == HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(2), "unready once stopped", TimeSpan.FromMilliseconds(20));
        var unreadyAfter = stop.Elapsed;
        using (var probe = await _http.GetAsync(new Uri(probes, "readyz")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, probe.StatusCode);
            Assert.Equal("not ready: draining before a stop\n", await probe.Content.ReadAsStringAsync());
        }

        // During the grace: new connections are served, and told to close.
        var duringGrace = 0;
        while (stop.Elapsed < Grace - TimeSpan.FromMilliseconds(500))
        {
            using var response = await GetAsync(edge, name, "/short");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(response.Headers.ConnectionClose, "a response while draining asks the client to reconnect");
            duringGrace++;
        }

        using var finished = await inFlight;
        Assert.Equal(HttpStatusCode.OK, finished.StatusCode);
        var exitCode = await edge.WaitForExitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(0, exitCode);
        Measurements.Record(output, "graceful shutdown (SIGTERM, grace 3 s)",
            $"unready after {unreadyAfter.TotalSeconds:0.00} s; {duringGrace} requests served during the grace, each with Connection: close; " +
            $"the 6 s request in flight answered 200; exited 0 after {stop.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task Long_polls_websockets_and_tcp_connections_keep_working_through_grace_and_drain_and_are_cut_when_the_drain_ends()
    {
        var grace = TimeSpan.FromSeconds(2);
        var drain = TimeSpan.FromSeconds(4);
        var end = grace + drain;
        var slow = SwarmServices.UniqueName("dpoll");
        var ws = SwarmServices.UniqueName("dws");
        var echo = SwarmServices.UniqueName("dtcp");
        await Task.WhenAll(
            _services.CreateFromAsync(Image, slow, 1, SwarmServices.Labels(80, ("swarmedge.http.host", $"{slow}.test")), "--entrypoint", SlowHttp),
            _services.CreateFromAsync("swarmedge-lab/grpc:latest", ws, 1, SwarmServices.Labels(8080, ("swarmedge.http.host", $"{ws}.test"))),
            _services.CreateFromAsync(Image, echo, 1, new Dictionary<string, string>
            {
                ["swarmedge.enable"] = "true",
                ["swarmedge.tcp.port"] = "7000",
                ["swarmedge.tcp.entrypoint"] = TcpEntrypoint.ToString(),
            }));
        var edge = await ProductionEdge.StartAsync(swarm, DrainPort, new()
        {
            ["SwarmEdge:Shutdown:Grace"] = grace.ToString(),
            ["SwarmEdge:Shutdown:Drain"] = drain.ToString(),
            ["SwarmEdge:Tcp:Entrypoints:0"] = TcpEntrypoint.ToString(),
        });
        await using var _ = edge;
        foreach (var service in new[] { slow, ws, echo })
        {
            await ProductionEdge.WaitForEndpointsAsync(edge, service, 1);
        }

        // Open before the stop: a poll that ends inside the drain, one that outlives it, a WebSocket, a TCP connection.
        var shortPoll = GetAsync(edge, slow, "/wait/4/short-poll");
        var longPoll = GetAsync(edge, slow, "/wait/30/long-poll");
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Host", $"{ws}.test");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await socket.ConnectAsync(new Uri($"ws://{swarm.Sidecar.Address}:{DrainPort}/ws"), deadline.Token);
        await WebSocketText.ReceiveAsync(socket, deadline.Token); // the task's greeting
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(swarm.Sidecar.Address, TcpEntrypoint, deadline.Token);
        var stream = tcp.GetStream();
        var reader = new StreamReader(stream, Encoding.ASCII);
        await reader.ReadLineAsync(deadline.Token); // the task's name
        await Eventually.HoldsAsync(async () => await edge.MetricAsync("swarmedge_requests_in_flight") >= 3,
            TimeSpan.FromSeconds(10), "both polls and the WebSocket are in flight");

        var stop = Stopwatch.StartNew();
        await edge.TerminateAsync();

        // Both long-lived connections keep carrying data through the grace and into the drain, a second before its end.
        var echoes = 0;
        while (stop.Elapsed < end - TimeSpan.FromSeconds(1))
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes($"ws {echoes}"), WebSocketMessageType.Text, true, deadline.Token);
            Assert.Equal($"ws {echoes}", await WebSocketText.ReceiveAsync(socket, deadline.Token));
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"tcp {echoes}\n"), deadline.Token);
            Assert.Equal($"tcp {echoes}", await reader.ReadLineAsync(deadline.Token));
            echoes++;
            await Task.Delay(200, deadline.Token);
        }

        var lastEcho = stop.Elapsed;
        using var finished = await shortPoll;
        Assert.Equal(HttpStatusCode.OK, finished.StatusCode);

        // Then the drain ends: each is cut. When and how each client sees it:
        var webSocketCut = Task.Run(async () =>
        {
            var how = await Record.ExceptionAsync(() => WebSocketText.ReceiveAsync(socket, deadline.Token));
            return (stop.Elapsed, how is null ? "a message" : $"{how.GetType().Name}: {how.Message}");
        });
        var tcpCut = Task.Run(async () =>
        {
            string how;
            try
            {
                how = await reader.ReadLineAsync(deadline.Token) is null ? "end of stream (FIN)" : "data";
            }
            catch (IOException ex)
            {
                how = ex.InnerException is SocketException socketError ? socketError.SocketErrorCode.ToString() : ex.GetType().Name;
            }

            return (stop.Elapsed, how);
        });
        var pollCut = Task.Run(async () =>
        {
            var how = await Record.ExceptionAsync(() => longPoll);
            return (stop.Elapsed, how is null ? "answered" : $"{how.GetType().Name}: {how.Message}");
        });
        var (webSocketAt, webSocketHow) = await webSocketCut;
        var (tcpAt, tcpHow) = await tcpCut;
        var (pollAt, pollHow) = await pollCut;
        var exitCode = await edge.WaitForExitAsync(TimeSpan.FromSeconds(20));
        var exitedAt = stop.Elapsed;

        Assert.NotEqual("answered", pollHow);
        Assert.NotEqual("a message", webSocketHow);
        Assert.NotEqual("data", tcpHow);
        foreach (var (what, at) in new[] { ("long poll", pollAt), ("WebSocket", webSocketAt), ("TCP connection", tcpAt) })
        {
            Assert.True(at >= end - TimeSpan.FromMilliseconds(500) && at <= end + TimeSpan.FromSeconds(3),
                $"the {what} was cut at {at.TotalSeconds:0.00} s; the drain ends at {end.TotalSeconds:0} s");
        }

        Assert.Equal(0, exitCode);
        Measurements.Record(output, "graceful shutdown: what outlives the drain (grace 2 s, drain 4 s)",
            $"WebSocket and TCP echoed until {lastEcho.TotalSeconds:0.0} s ({echoes} round trips each); the 4 s poll answered 200; " +
            $"cut at the drain's end: 30 s poll at {pollAt.TotalSeconds:0.00} s ({pollHow}), WebSocket at {webSocketAt.TotalSeconds:0.00} s ({webSocketHow}), " +
            $"TCP at {tcpAt.TotalSeconds:0.00} s ({tcpHow}); exited {exitCode} at {exitedAt.TotalSeconds:0.0} s");
    }

    private async Task<HttpResponseMessage> GetAsync(SwarmEdgeProcess edge, string name, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(edge.Proxy, path));
        request.Headers.Host = $"{name}.test";
        return await _http.SendAsync(request);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _services.DisposeAsync();
    }
}
