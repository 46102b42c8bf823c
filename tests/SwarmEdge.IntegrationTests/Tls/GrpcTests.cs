using System.Diagnostics;
using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using SwarmEdge.IntegrationTests.Hostile;
using SwarmEdge.IntegrationTests.Lab;
using SwarmEdge.Lab.Grpc;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Tls;

/// <summary>
/// gRPC end to end: a real gRPC server (tests/lab/grpc, Grpc.AspNetCore, h2c on 50051) behind the edge with
/// swarmedge.http.protocol=h2c, called by Grpc.Net.Client over HTTPS/HTTP/2 to the edge: unary and
/// server-streaming calls, and a rolling update of the service under gRPC load.
/// </summary>
[Collection(SingleNodeSwarmCollection.Name)]
public sealed class GrpcTests(SingleNodeSwarm swarm, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Port = 18412; // proxy; admin +1, HTTPS +2
    private const string Image = "swarmedge-lab/grpc:latest";
    private readonly SwarmServices _services = swarm.NewServices();
    private readonly LabCertificates _certificates = new();

    [Fact]
    public async Task Unary_and_streaming_calls_work_through_the_edge_and_a_rolling_update_fails_none()
    {
        _certificates.Issue("grpc", "grpc.test");
        await using var edge = await ProductionEdge.StartAsync(swarm, Port, new()
        {
            ["SwarmEdge:Https:CertificateDirectory"] = _certificates.Directory,
            ["SwarmEdge:Https:Port"] = (Port + 2).ToString(),
        });
        var name = SwarmServices.UniqueName("grpc");
        await _services.CreateFromAsync(Image, name, 2,
            SwarmServices.Labels(50051, ("swarmedge.http.host", "grpc.test"), ("swarmedge.http.protocol", "h2c")),
            "--update-order", "start-first");
        await ProductionEdge.WaitForEndpointsAsync(edge, name, 2);

        var https = new HttpsClient(new IPEndPoint(IPAddress.Parse(swarm.Sidecar.Address), Port + 2), _certificates.Ca, HttpVersion.Version20);
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        https.Configure(handler);
        using var channel = GrpcChannel.ForAddress($"https://grpc.test:{Port + 2}", new GrpcChannelOptions { HttpHandler = handler });
        var client = new Echo.EchoClient(channel);
        var tasks = (await _services.RunningTasksAsync(name)).Select(t => t.Id).ToHashSet();

        var reply = await client.UnaryAsync(new EchoRequest { Text = "hello" }, deadline: DateTime.UtcNow.AddSeconds(10));
        Assert.Equal("hello", reply.Text);
        Assert.Contains(LoadGenerator.TaskIdOf(reply.Task), tasks);

        var countdown = await CountdownAsync(client, 5);
        Assert.Equal(["5", "4", "3", "2", "1"], countdown);

        // Under load: 8 callers of unary calls and 2 of streaming ones, for the whole rolling update.
        using var stop = new CancellationTokenSource();
        var calls = 0L;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        async Task CallAsync(bool stream)
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    if (stream)
                    {
                        var got = await CountdownAsync(client, 4);
                        if (got.Count != 4)
                        {
                            failures.Enqueue($"stream ended after {got.Count} of 4 messages");
                        }
                    }
                    else
                    {
                        await client.UnaryAsync(new EchoRequest { Text = "x" }, deadline: DateTime.UtcNow.AddSeconds(10));
                    }

                    Interlocked.Increment(ref calls);
                }
                catch (RpcException ex)
                {
                    failures.Enqueue($"{(stream ? "stream" : "unary")}: {ex.Status}");
                }
            }
        }

        var callers = Enumerable.Range(0, 10).Select(i => Task.Run(() => CallAsync(stream: i >= 8))).ToArray();
        await Eventually.HoldsAsync(() => Interlocked.Read(ref calls) > 200, TimeSpan.FromSeconds(30), "gRPC calls flow through the edge");
        var clock = Stopwatch.StartNew();
        await _services.UpdateForceAsync(name);
        var updated = clock.Elapsed.TotalSeconds;
        var atUpdate = Interlocked.Read(ref calls);
        await Eventually.HoldsAsync(() => Interlocked.Read(ref calls) > atUpdate + 200, TimeSpan.FromSeconds(30), "calls to the new tasks");
        await stop.CancelAsync();
        await Task.WhenAll(callers);

        Measurements.Record(output, "gRPC through the edge (h2c to the tasks, HTTP/2 over TLS to the edge)",
            $"unary and server-streaming calls answered; update --force ({updated:0.0} s) under 8 unary and 2 streaming callers: " +
            $"{calls} calls, {failures.Count} failed");
        Assert.True(failures.IsEmpty, string.Join('\n', failures.Take(10)));
    }

    private static async Task<List<string>> CountdownAsync(Echo.EchoClient client, int count)
    {
        using var call = client.Countdown(new CountdownRequest { Count = count, IntervalMs = 20 }, deadline: DateTime.UtcNow.AddSeconds(10));
        var texts = new List<string>();
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            texts.Add(message.Text);
        }

        return texts;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        _certificates.Dispose();
    }
}
