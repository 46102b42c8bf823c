using System.Net;
using System.Net.WebSockets;
using System.Text;
using SwarmEdge.IntegrationTests.Hostile;
using SwarmEdge.IntegrationTests.Lab;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Tls;

/// <summary>
/// WebSockets through the edge to a real WebSocket server (the lab's ASP.NET backend, /ws on 8080): over plain
/// HTTP/1.1 (Upgrade), over HTTPS/HTTP/1.1, and over HTTPS/HTTP/2 (extended CONNECT, RFC 8441), which the edge
/// turns into an HTTP/1.1 upgrade to the task.
/// </summary>
[Collection(SingleNodeSwarmCollection.Name)]
public sealed class WebSocketTests(SingleNodeSwarm swarm, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Port = 18420; // proxy; admin +1, HTTPS +2
    private readonly SwarmServices _services = swarm.NewServices();
    private readonly LabCertificates _certificates = new();

    [Fact]
    public async Task A_websocket_echoes_through_the_edge_over_http1_https_and_http2()
    {
        _certificates.Issue("ws", "ws.test");
        await using var edge = await ProductionEdge.StartAsync(swarm, Port, new()
        {
            ["SwarmEdge:Https:CertificateDirectory"] = _certificates.Directory,
            ["SwarmEdge:Https:Port"] = (Port + 2).ToString(),
        });
        var name = SwarmServices.UniqueName("ws");
        await _services.CreateFromAsync("swarmedge-lab/grpc:latest", name, 1, SwarmServices.Labels(8080, ("swarmedge.http.host", "ws.test")));
        await ProductionEdge.WaitForEndpointsAsync(edge, name, 1);
        var task = (await _services.RunningTasksAsync(name)).Single().Id;
        var https = new HttpsClient(new IPEndPoint(IPAddress.Parse(swarm.Sidecar.Address), Port + 2), _certificates.Ca);

        var seen = new List<string>();
        foreach (var (what, uri, version, invoker) in new (string, Uri, Version, HttpMessageInvoker?)[]
                 {
                     ("HTTP/1.1", new Uri($"ws://{swarm.Sidecar.Address}:{Port}/ws"), HttpVersion.Version11, null),
                     ("HTTPS, HTTP/1.1", new Uri($"wss://ws.test:{Port + 2}/ws"), HttpVersion.Version11, Invoker(https)),
                     ("HTTPS, HTTP/2", new Uri($"wss://ws.test:{Port + 2}/ws"), HttpVersion.Version20, Invoker(https)),
                 })
        {
            using var socket = new ClientWebSocket();
            socket.Options.HttpVersion = version;
            socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
            if (invoker is null)
            {
                socket.Options.SetRequestHeader("Host", "ws.test");
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            // RequestVersionExact: the connect fails unless the edge speaks that version (HTTP/2: extended CONNECT).
            await socket.ConnectAsync(uri, invoker, timeout.Token);
            Assert.Equal(task, LoadGenerator.TaskIdOf(await WebSocketText.ReceiveAsync(socket, timeout.Token)));
            for (var i = 0; i < 3; i++)
            {
                await socket.SendAsync(Encoding.ASCII.GetBytes($"ping {i}"), WebSocketMessageType.Text, true, timeout.Token);
                Assert.Equal($"ping {i}", await WebSocketText.ReceiveAsync(socket, timeout.Token));
            }

            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
            seen.Add(what);
        }

        Measurements.Record(output, "WebSockets through the edge", $"echo over {string.Join("; ", seen)}");
    }

    private static HttpMessageInvoker Invoker(HttpsClient https)
    {
        var handler = new SocketsHttpHandler();
        https.Configure(handler);
        return new HttpMessageInvoker(handler);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        _certificates.Dispose();
    }
}
