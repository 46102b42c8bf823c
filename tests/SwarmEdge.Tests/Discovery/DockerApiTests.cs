using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Polly.Timeout;
using SwarmEdge.Discovery;

namespace SwarmEdge.Tests.Discovery;

/// <summary>
/// DockerApi against real sockets: one endpoint that accepts connections and never answers (how a manager cut
/// off from the swarm looks), one that answers every request.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class DockerApiTests : IAsyncLifetime
{
    private readonly TcpListener _silent = new(IPAddress.Loopback, 0);
    private readonly TcpListener _answering = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _held = [];
    private readonly List<Task> _servers = [];

    public DockerApiTests()
    {
        _silent.Start();
        _answering.Start();
        _servers.Add(AcceptAsync(_silent, answer: false));
        _servers.Add(AcceptAsync(_answering, answer: true));
    }

    [Fact]
    public async Task A_call_the_current_endpoint_leaves_unanswered_is_answered_by_the_next_which_becomes_current()
    {
        using var api = Api(hedgeAfter: TimeSpan.FromMilliseconds(200), requestTimeout: TimeSpan.FromSeconds(10),
            Endpoint(_silent), Endpoint(_answering));
        var endpointChanged = api.EndpointChanged;

        var clock = Stopwatch.StartNew();
        await api.CallAsync("ping", PingAsync, CancellationToken.None);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"answered after {clock.Elapsed.TotalSeconds:0.00} s");
        Assert.Equal(Endpoint(_answering), api.CurrentEndpoint);
        Assert.True(endpointChanged.IsCancellationRequested, "the event stream is told to move");
    }

    [Fact]
    public async Task An_answering_current_endpoint_stays_current()
    {
        using var api = Api(hedgeAfter: TimeSpan.FromMilliseconds(200), requestTimeout: TimeSpan.FromSeconds(10),
            Endpoint(_answering), Endpoint(_silent));
        var endpointChanged = api.EndpointChanged;

        await api.CallAsync("ping", PingAsync, CancellationToken.None);

        Assert.Equal(Endpoint(_answering), api.CurrentEndpoint);
        Assert.False(endpointChanged.IsCancellationRequested);
    }

    [Fact]
    public async Task With_one_endpoint_a_silent_manager_fails_the_call_after_the_request_timeout_and_its_retries()
    {
        using var api = Api(hedgeAfter: TimeSpan.FromMilliseconds(100), requestTimeout: TimeSpan.FromMilliseconds(300),
            Endpoint(_silent));

        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<TimeoutRejectedException>(async () =>
            await api.CallAsync("ping", PingAsync, CancellationToken.None));

        // Three attempts (the first and two retries) of 300 ms each, plus backoff.
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(900), $"gave up after {clock.Elapsed.TotalSeconds:0.00} s");
    }

    private static async Task<bool> PingAsync(Docker.DotNet.DockerClient client, CancellationToken ct)
    {
        await client.System.PingAsync(ct);
        return true;
    }

    private static DockerApi Api(TimeSpan hedgeAfter, TimeSpan requestTimeout, params string[] endpoints)
    {
        var options = new SwarmEdgeOptions();
        options.Docker.Endpoints.AddRange(endpoints);
        options.Docker.HedgeAfter = hedgeAfter;
        options.Docker.RequestTimeout = requestTimeout;
        options.Discovery.MaxRetryDelay = TimeSpan.FromMilliseconds(200);
        return new DockerApi(Options.Create(options), NullLogger<DockerApi>.Instance);
    }

    private static string Endpoint(TcpListener listener) => $"tcp://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";

    /// <summary>Accepts connections; either holds them open in silence or answers each request with 200 OK.</summary>
    private async Task AcceptAsync(TcpListener listener, bool answer)
    {
        try
        {
            while (true)
            {
                var client = await listener.AcceptTcpClientAsync(_stop.Token);
                lock (_held)
                {
                    _held.Add(client);
                }

                if (answer)
                {
                    _ = AnswerAsync(client);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task AnswerAsync(TcpClient client)
    {
        var stream = client.GetStream();
        var buffer = new byte[8192];
        var request = new StringBuilder();
        try
        {
            while (true)
            {
                var read = await stream.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                request.Append(Encoding.ASCII.GetString(buffer, 0, read));
                while (request.ToString().IndexOf("\r\n\r\n", StringComparison.Ordinal) is var end and >= 0)
                {
                    request.Remove(0, end + 4);
                    var response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nApi-Version: 1.41\r\nContent-Length: 2\r\n\r\nOK";
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(response), _stop.Token);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        _silent.Stop();
        _answering.Stop();
        lock (_held)
        {
            foreach (var client in _held)
            {
                client.Dispose();
            }
        }

        await Task.WhenAll(_servers);
        _stop.Dispose();
    }
}
