using System.Collections.Immutable;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SwarmEdge.Proxy;
using SwarmEdge.Proxy.Tcp;

namespace SwarmEdge.Tests.Proxy.Tcp;

/// <summary>
/// The TCP handler with a client connection made of pipes (as Kestrel hands it one) and tasks that are real
/// loopback sockets: an echo server per task, and a port nothing listens on.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class TcpProxyHandlerTests : IAsyncDisposable
{
    private const int Entrypoint = 7000;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly TcpRouteTable _table = new();
    private readonly TcpConnections _connections = new(TimeProvider.System);
    private readonly TcpProxyHandler _handler;
    private readonly List<EchoTask> _tasks = [];
    private readonly TaskNodes _nodes = new();
    private readonly SuspectNodes _suspects = SuspectNodesTests.Create(TimeProvider.System);

    public TcpProxyHandlerTests() =>
        _handler = new TcpProxyHandler(_table, _connections, _suspects, Options.Create(new SwarmEdgeOptions()), NullLogger<TcpProxyHandler>.Instance);

    private EchoTask Task(string id, int port = 0)
    {
        var task = new EchoTask(id, port);
        _tasks.Add(task);
        return task;
    }

    private void Route(params TcpEndpoint[] endpoints) =>
        _table.Swap(ImmutableDictionary<int, TcpEntrypointRoutes>.Empty.Add(Entrypoint,
            new TcpEntrypointRoutes(new TcpTarget("echo", [.. endpoints]), ImmutableDictionary<string, TcpTarget>.Empty)));

    [Fact]
    public async Task Bytes_go_both_ways_and_the_connection_counts_for_its_task_until_the_client_leaves()
    {
        var t1 = Task("t1");
        Route(t1.Endpoint);

        await using var client = Client.Connect(_handler, Entrypoint);
        Assert.Equal("t1", await client.ReadLineAsync());
        await client.WriteLineAsync("ping");
        Assert.Equal("ping", await client.ReadLineAsync());
        Assert.Equal(1, _connections.CountFor("t1"));

        await client.LeaveAsync();
        await client.Handled.WaitAsync(Deadline);
        Assert.Equal(0, _connections.CountFor("t1"));
    }

    [Fact]
    public async Task A_task_that_refuses_is_skipped_for_the_next_and_remembered()
    {
        var refused = new TcpEndpoint("gone", _nodes.Closed());
        var t2 = Task("t2");
        Route(refused, t2.Endpoint);

        for (var i = 0; i < 3; i++)
        {
            await using var client = Client.Connect(_handler, Entrypoint);
            Assert.Equal("t2", await client.ReadLineAsync());
        }

        Assert.True(_connections.RecentlyFailed("gone"));
    }

    [Fact]
    public async Task A_connect_nobody_answers_makes_the_tasks_node_suspect()
    {
        var t2 = Task("t2");
        Route(new TcpEndpoint("lost", _nodes.Lost(), "node-a"), t2.Endpoint with { NodeId = "node-b" });
        _connections.Failed("t2", TimeSpan.FromMinutes(1)); // so that the lost task is tried first

        await using var client = Client.Connect(_handler, Entrypoint);

        Assert.Equal("t2", await client.ReadLineAsync());
        Assert.True(_suspects.IsSuspect("node-a", "echo"));
        Assert.False(_suspects.IsSuspect("node-a", "another-service"));
        Assert.False(_suspects.IsSuspect("node-b", "echo"));
    }

    [Fact]
    public async Task Tasks_on_a_suspect_node_get_new_connections_only_when_nothing_else_is_left()
    {
        var t1 = Task("t1");
        var t2 = Task("t2");
        Route(t1.Endpoint with { NodeId = "node-a" }, t2.Endpoint with { NodeId = "node-b" });
        _suspects.Suspect("node-a", null, "test");

        await using var first = Client.Connect(_handler, Entrypoint);
        await using var second = Client.Connect(_handler, Entrypoint);

        Assert.Equal("t2", await first.ReadLineAsync());
        Assert.Equal("t2", await second.ReadLineAsync());
    }

    [Fact]
    public async Task New_connections_go_to_the_task_with_the_fewest()
    {
        var t1 = Task("t1");
        var t2 = Task("t2");
        Route(t1.Endpoint, t2.Endpoint);

        await using var first = Client.Connect(_handler, Entrypoint);
        var firstTask = await first.ReadLineAsync();
        await using var second = Client.Connect(_handler, Entrypoint);
        var secondTask = await second.ReadLineAsync();

        Assert.NotEqual(firstTask, secondTask);
        Assert.Equal(1, _connections.CountFor("t1"));
        Assert.Equal(1, _connections.CountFor("t2"));
    }

    [Fact]
    public async Task A_connection_to_a_departed_task_is_closed_after_the_drain_timeout()
    {
        var t1 = Task("t1");
        Route(t1.Endpoint);
        await using var client = Client.Connect(_handler, Entrypoint);
        Assert.Equal("t1", await client.ReadLineAsync());

        _connections.Drain(["t1"], TimeSpan.FromMilliseconds(100));

        await client.Handled.WaitAsync(Deadline);
        Assert.Null(await client.ReadLineAsync()); // the edge closed the client's side
    }

    [Fact]
    public async Task The_only_task_that_does_not_listen_yet_is_waited_for()
    {
        // Swarm reports a task running before its program listens: the connection is held, not closed.
        var late = _nodes.Closed();
        Route(new TcpEndpoint("late", late));

        await using var client = Client.Connect(_handler, Entrypoint);
        await Eventually.HoldsAsync(() => _connections.RecentlyFailed("late"), Deadline, "the task refused a first connect");
        Task("late", late.Port);

        Assert.Equal("late", await client.ReadLineAsync());
    }

    [Fact]
    public async Task A_task_that_arrives_while_the_connection_waits_takes_it()
    {
        Route(new TcpEndpoint("old", _nodes.Closed()));

        await using var client = Client.Connect(_handler, Entrypoint);
        await Eventually.HoldsAsync(() => _connections.RecentlyFailed("old"), Deadline, "the task refused a first connect");
        Route(Task("new").Endpoint);

        Assert.Equal("new", await client.ReadLineAsync());
    }

    [Fact]
    public async Task Tasks_that_refuse_for_good_close_the_connection_after_the_refused_wait()
    {
        var options = new SwarmEdgeOptions();
        options.Tcp.RefusedWait = TimeSpan.FromMilliseconds(300);
        var handler = new TcpProxyHandler(_table, _connections, _suspects, Options.Create(options), NullLogger<TcpProxyHandler>.Instance);
        Route(new TcpEndpoint("t1", _nodes.Closed()), new TcpEndpoint("t2", _nodes.Closed()));
        var started = System.Diagnostics.Stopwatch.StartNew();

        await using var client = Client.Connect(handler, Entrypoint);
        await client.Handled.WaitAsync(Deadline);

        // 50 + 100 ms of waits fit in 300 ms from the client's arrival, the next 200 do not.
        Assert.InRange(started.Elapsed, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(1));
        Assert.Null(await client.ReadLineAsync());
    }

    [Fact]
    public async Task A_client_that_leaves_while_its_connection_waits_is_no_connect_failure()
    {
        Route(new TcpEndpoint("late", _nodes.Closed()));
        var failedBefore = SwarmEdge.Admin.SwarmEdgeMetrics.TcpConnections.WithLabels("echo", "connect_failed").Value;

        var client = Client.Connect(_handler, Entrypoint);
        await Eventually.HoldsAsync(() => _connections.RecentlyFailed("late"), Deadline, "the task refused a first connect");
        await client.DisposeAsync();

        Assert.Equal(failedBefore, SwarmEdge.Admin.SwarmEdgeMetrics.TcpConnections.WithLabels("echo", "connect_failed").Value);
    }

    [Fact]
    public async Task An_entrypoint_without_a_route_closes_the_connection_at_once()
    {
        await using var client = Client.Connect(_handler, Entrypoint + 1);

        await client.Handled.WaitAsync(Deadline);
        Assert.Equal(0, _connections.CountFor("t1"));
    }

    public async ValueTask DisposeAsync()
    {
        _nodes.Dispose();
        foreach (var task in _tasks)
        {
            await task.DisposeAsync();
        }
    }

    private sealed record DuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;

    /// <summary>A client connection as Kestrel passes it to a ConnectionHandler, and the client's end of it.</summary>
    private sealed class Client : IAsyncDisposable
    {
        private readonly Pipe _toEdge = new();
        private readonly Pipe _fromEdge = new();
        private readonly StreamReader _reader;
        private readonly CancellationTokenSource _closed = new();

        private Client(TcpProxyHandler handler, int entrypoint)
        {
            var context = new DefaultConnectionContext(Guid.NewGuid().ToString("N"),
                new DuplexPipe(_toEdge.Reader, _fromEdge.Writer), new DuplexPipe(_fromEdge.Reader, _toEdge.Writer))
            {
                LocalEndPoint = new IPEndPoint(IPAddress.Loopback, entrypoint),
                RemoteEndPoint = new IPEndPoint(IPAddress.Loopback, 40000),
                ConnectionClosed = _closed.Token,
            };
            _reader = new StreamReader(_fromEdge.Reader.AsStream(), Encoding.ASCII);
            Handled = System.Threading.Tasks.Task.Run(async () =>
            {
                await handler.OnConnectedAsync(context);
                await _fromEdge.Writer.CompleteAsync(); // as Kestrel does when the handler returns
            });
        }

        public Task Handled { get; }

        public static Client Connect(TcpProxyHandler handler, int entrypoint) => new(handler, entrypoint);

        public async Task<string?> ReadLineAsync() => await _reader.ReadLineAsync().WaitAsync(Deadline);

        public async Task WriteLineAsync(string line) => await _toEdge.Writer.WriteAsync(Encoding.ASCII.GetBytes(line + "\n"));

        public async Task LeaveAsync() => await _toEdge.Writer.CompleteAsync();

        public async ValueTask DisposeAsync()
        {
            await _closed.CancelAsync();
            await _toEdge.Writer.CompleteAsync();
            await Handled.WaitAsync(Deadline);
            _closed.Dispose();
        }
    }

    /// <summary>A task: says its name, then echoes what it reads, until the edge closes.</summary>
    private sealed class EchoTask : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accepting;

        public EchoTask(string id, int port)
        {
            _listener = new TcpListener(IPAddress.Loopback, port);
            _listener.Start();
            Endpoint = new TcpEndpoint(id, (IPEndPoint)_listener.LocalEndpoint);
            _accepting = System.Threading.Tasks.Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    var socket = await _listener.AcceptSocketAsync(_stop.Token);
                    _ = System.Threading.Tasks.Task.Run(async () =>
                    {
                        using var stream = new NetworkStream(socket, ownsSocket: true);
                        await stream.WriteAsync(Encoding.ASCII.GetBytes(id + "\n"));
                        await stream.CopyToAsync(stream);
                    });
                }
            });
        }

        public TcpEndpoint Endpoint { get; }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting.ContinueWith(_ => { });
        }
    }
}
