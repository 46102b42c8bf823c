using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using SwarmEdge.IntegrationTests.Lab;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Tcp;

/// <summary>
/// TCP routes through SwarmEdge's entrypoints to real dnsrr services: an echo service whose tasks name
/// themselves, and Debian's PostgreSQL driven with psql.
/// </summary>
[Collection(SingleNodeSwarmCollection.Name)]
public sealed class TcpRouteTests(SingleNodeSwarm swarm, ITestOutputHelper output) : IAsyncLifetime
{
    private const string EchoImage = "swarmedge-lab/tcpecho:latest";
    private readonly SwarmServices _services = swarm.NewServices();
    private readonly List<EchoConnection> _connections = [];

    [Fact]
    public async Task Connections_spread_over_the_tasks_and_a_scale_up_is_followed()
    {
        var name = SwarmServices.UniqueName("echo");
        var entrypoint = SingleNodeSwarm.TcpEntrypoints[1];
        await _services.CreateFromAsync(EchoImage, name, 3, TcpLabels(7000, entrypoint));
        await WaitForEndpointsAsync(name, 3);
        var tasks = (await _services.RunningTasksAsync(name)).Select(t => t.Id).ToHashSet();

        var first = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            first.Add(await OpenAsync(entrypoint));
        }

        // Least connections: 30 open connections over 3 tasks, 10 each.
        Assert.Equal(tasks, first.ToHashSet());
        Assert.All(first.GroupBy(t => t), g => Assert.Equal(10, g.Count()));
        foreach (var connection in _connections)
        {
            Assert.Equal("ping " + connection.Task, await connection.EchoAsync("ping " + connection.Task));
        }

        var clock = Stopwatch.StartNew();
        await _services.ScaleAsync(name, 5);
        await _services.WaitForRunningAsync(name, 5);
        var added = (await _services.RunningTasksAsync(name)).Select(t => t.Id).Where(id => !tasks.Contains(id)).ToHashSet();
        var seen = new HashSet<string>();
        await Eventually.HoldsAsync(async () =>
        {
            seen.Add(await OpenAsync(entrypoint));
            return added.IsSubsetOf(seen);
        }, TimeSpan.FromSeconds(20), "new connections reach the new tasks", TimeSpan.FromMilliseconds(50));

        Measurements.Record(output, "TCP echo scale 3->5",
            $"30 connections spread 10/10/10; new tasks got connections {clock.Elapsed.TotalSeconds:0.0} s after docker service scale");
    }

    [Fact]
    public async Task Connections_to_a_replaced_task_end_cleanly_and_new_ones_go_to_live_tasks()
    {
        var name = SwarmServices.UniqueName("echodrain");
        var entrypoint = SingleNodeSwarm.TcpEntrypoints[2];
        await _services.CreateFromAsync(EchoImage, name, 2, TcpLabels(7000, entrypoint));
        await WaitForEndpointsAsync(name, 2);
        for (var i = 0; i < 4; i++)
        {
            await OpenAsync(entrypoint);
        }

        await _services.UpdateForceAsync(name);
        var live = (await _services.RunningTasksAsync(name)).Select(t => t.Id).ToHashSet();

        // Every old connection ends with a clean end of stream, none hangs.
        var clock = Stopwatch.StartNew();
        foreach (var connection in _connections.ToList())
        {
            Assert.True(await connection.EndsAsync(TimeSpan.FromSeconds(20)), $"connection to {connection.Task} still open");
        }

        var fresh = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            fresh.Add(await OpenAsync(entrypoint));
        }

        Measurements.Record(output, "TCP echo update --force", $"old connections ended within {clock.Elapsed.TotalSeconds:0.0} s after the update; new ones on live tasks");
        Assert.All(fresh, task => Assert.Contains(task, live));
    }

    [Fact]
    public async Task A_new_task_that_listens_late_costs_no_connection_when_it_is_the_only_one_left()
    {
        // The echo starts listening 1.5 s after its container starts, and Swarm reports the task running at once:
        // in a start-first update of one replica, for about a second the only task left refuses connections.
        var name = SwarmServices.UniqueName("echolate");
        var entrypoint = SingleNodeSwarm.TcpEntrypoints[3];
        await _services.CreateAsync(EchoImage, ["-c", "sleep 1.5; exec socat TCP-LISTEN:7000,fork,reuseaddr EXEC:/usr/local/bin/echo-with-name"],
            name, 1, TcpLabels(7000, entrypoint), "--entrypoint", "sh", "--update-order", "start-first");
        await WaitForEndpointsAsync(name, 1);
        var old = (await _services.RunningTasksAsync(name)).Single().Id;
        await Eventually.HoldsAsync(async () => await TryEchoAsync(entrypoint) == old, TimeSpan.FromSeconds(20), "the first task listens");
        var refusedBefore = await swarm.Edge.MetricAsync($"swarmedge_tcp_connect_failures_total{{route=\"{name}\"}}");

        // New connections, four at a time, for the whole update: each says its task and echoes a line.
        using var stop = new CancellationTokenSource();
        var results = new ConcurrentQueue<string>();
        var clients = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                results.Enqueue(await TryEchoAsync(entrypoint));
            }
        })).ToList();

        await _services.UpdateForceAsync(name);
        var replacement = (await _services.RunningTasksAsync(name)).Single().Id;
        Assert.NotEqual(old, replacement);
        await Eventually.HoldsAsync(() => results.Contains(replacement), TimeSpan.FromSeconds(20), "the new task takes connections");
        var afterUpdate = results.Count;
        await Eventually.HoldsAsync(() => results.Count >= afterUpdate + 20, TimeSpan.FromSeconds(20), "more connections to the new task");
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        var refused = await swarm.Edge.MetricAsync($"swarmedge_tcp_connect_failures_total{{route=\"{name}\"}}") - refusedBefore;
        var failed = results.Where(r => r != old && r != replacement).ToList();
        Measurements.Record(output, "TCP start-first update to a task that listens 1.5 s after it starts",
            $"{results.Count} new connections during the update, {failed.Count} failed; {refused} connects refused and waited out");
        Assert.True(failed.Count == 0, "failed connections:\n" + string.Join('\n', failed.Take(10)));
        // The new task did refuse (the case this test is about happened), and waiting it out cost no connection.
        Assert.True(refused > 0, "no connection met the new task before it listened");
    }

    [Fact]
    public async Task Psql_runs_queries_through_SwarmEdge_and_new_connections_succeed_during_a_rolling_update()
    {
        var name = SwarmServices.UniqueName("pg");
        var entrypoint = SingleNodeSwarm.TcpEntrypoints[0];
        await _services.CreateFromAsync("swarmedge-lab/postgres:latest", name, 1, TcpLabels(5432, entrypoint),
            "--update-order", "start-first", "--stop-grace-period", "5s");
        await WaitForEndpointsAsync(name, 1, TimeSpan.FromSeconds(60));

        Assert.Equal("42", (await PsqlAsync(entrypoint, "select 40 + 2")).Trimmed);
        Assert.StartsWith("PostgreSQL 15.", (await PsqlAsync(entrypoint, "select version()")).Trimmed);

        // New connections, one after another, for the whole rolling update.
        using var stop = new CancellationTokenSource();
        var results = new ConcurrentQueue<string>();
        var client = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var result = await PsqlAsync(entrypoint, "select 1", check: false);
                results.Enqueue(result.ExitCode == 0 && result.Trimmed == "1" ? "ok" : $"exit {result.ExitCode}: {result.Error.Trim()}");
            }
        });

        await Eventually.HoldsAsync(() => results.Count >= 5, TimeSpan.FromSeconds(20), "connections before the update");
        await _services.UpdateForceAsync(name);
        var afterUpdate = results.Count;
        await Eventually.HoldsAsync(() => results.Count >= afterUpdate + 10, TimeSpan.FromSeconds(30), "connections to the new task");
        await stop.CancelAsync();
        await client;

        var failed = results.Where(r => r != "ok").ToList();
        Measurements.Record(output, "PostgreSQL rolling update (start-first) through a TCP route",
            $"{results.Count} new psql connections during the update, {failed.Count} failed");
        Assert.True(failed.Count == 0, "failed connections:\n" + string.Join('\n', failed.Take(10)));
        Assert.True(results.Count > 10, $"only {results.Count} connections were tried");
    }

    private static Dictionary<string, string> TcpLabels(int port, int entrypoint) => new()
    {
        ["swarmedge.enable"] = "true",
        ["swarmedge.tcp.port"] = port.ToString(),
        ["swarmedge.tcp.entrypoint"] = entrypoint.ToString(),
    };

    private Task<ShellResult> PsqlAsync(int entrypoint, string sql, bool check = true) =>
        Shell.RunAsync("env", ["PGCONNECT_TIMEOUT=10", "psql", "-h", swarm.Edge.Proxy.Host, "-p", entrypoint.ToString(),
            "-U", "postgres", "-d", "postgres", "-tAc", sql], TimeSpan.FromSeconds(30), check);

    /// <summary>One short connection: the task that answered and echoed a line, or what went wrong.</summary>
    private async Task<string> TryEchoAsync(int entrypoint)
    {
        try
        {
            using var connection = await EchoConnection.OpenAsync(swarm.Edge.Proxy.Host, entrypoint);
            var echoed = await connection.EchoAsync("ping");
            return echoed == "ping" ? connection.Task : $"{connection.Task} echoed {echoed ?? "nothing"}";
        }
        catch (Exception ex) when (ex is IOException or SocketException or TimeoutException)
        {
            return $"{ex.GetType().Name}: {ex.Message}";
        }
    }

    /// <summary>Opens a connection through the entrypoint and returns the task that answered.</summary>
    private async Task<string> OpenAsync(int entrypoint)
    {
        var connection = await EchoConnection.OpenAsync(swarm.Edge.Proxy.Host, entrypoint);
        _connections.Add(connection);
        return connection.Task;
    }

    private async Task WaitForEndpointsAsync(string name, int count, TimeSpan? timeout = null) =>
        await Eventually.HoldsAsync(async () => await swarm.Edge.EndpointCountAsync(name) == count,
            timeout ?? TimeSpan.FromSeconds(20), $"SwarmEdge lists {count} endpoints for {name}");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            connection.Dispose();
        }

        await _services.DisposeAsync();
    }

    /// <summary>A client connection to the echo service: the first line names the task, then bytes come back.</summary>
    private sealed class EchoConnection : IDisposable
    {
        private readonly TcpClient _client;
        private readonly StreamReader _reader;
        private readonly StreamWriter _writer;

        private EchoConnection(TcpClient client, string task)
        {
            _client = client;
            var stream = client.GetStream();
            _reader = new StreamReader(stream, Encoding.ASCII);
            _writer = new StreamWriter(stream, Encoding.ASCII) { AutoFlush = true, NewLine = "\n" };
            Task = task;
        }

        public string Task { get; private set; }

        public static async Task<EchoConnection> OpenAsync(string host, int port)
        {
            var client = new TcpClient();
            await client.ConnectAsync(host, port).WaitAsync(TimeSpan.FromSeconds(10));
            var connection = new EchoConnection(client, "");
            var hostname = await connection._reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10))
                ?? throw new IOException("closed before the task said its name");
            connection.Task = LoadGenerator.TaskIdOf(hostname);
            return connection;
        }

        public async Task<string?> EchoAsync(string line)
        {
            await _writer.WriteLineAsync(line);
            return await _reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        /// <summary>True when the stream ends (FIN) within the timeout.</summary>
        public async Task<bool> EndsAsync(TimeSpan timeout)
        {
            try
            {
                var buffer = new char[256];
                while (await _reader.ReadAsync(buffer).AsTask().WaitAsync(timeout) > 0)
                {
                }

                return true;
            }
            catch (TimeoutException)
            {
                return false;
            }
            catch (IOException)
            {
                return true; // a reset also ends it, though not as cleanly
            }
        }

        public void Dispose()
        {
            _reader.Dispose();
            _client.Dispose();
        }
    }
}
