using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using SwarmEdge.Admin;

namespace SwarmEdge.Proxy.Tcp;

/// <summary>
/// One client connection on a TCP entrypoint: picks the route (on an entrypoint shared by TLS server name, by the
/// SNI of the client's first bytes, TLS passing through untouched), then the task with the fewest connections
/// (skipping tasks that just failed a connect), connects with a short timeout and tries another task on failure,
/// then relays bytes both ways until one side closes, the connection idles out, or its task left the rotation and
/// the drain timeout ran out. Closing is clean: FIN to the client and to the task, never a connection left hanging.
/// PostgreSQL clients ask for TLS with an SSLRequest before their ClientHello: on an SNI entrypoint the edge
/// answers it, reads the name, and asks the chosen task the same before relaying.
/// </summary>
internal sealed partial class TcpProxyHandler(
    TcpRouteTable routes,
    TcpConnections connections,
    SuspectNodes suspects,
    IOptions<SwarmEdgeOptions> options,
    ILogger<TcpProxyHandler> logger) : ConnectionHandler
{
    private readonly TcpOptions _options = options.Value.Tcp;
    private int _rotation;

    public override async Task OnConnectedAsync(ConnectionContext client)
    {
        var entrypoint = (client.LocalEndPoint as IPEndPoint)?.Port ?? 0;
        var routesHere = routes.Find(entrypoint);
        var (target, serverName, postgres) = routesHere is { HasSni: true }
            ? await ChooseBySniAsync(routesHere, client)
            : (routesHere?.Plain, null, false);
        if (target is null)
        {
            SwarmEdgeMetrics.TcpConnections.WithLabels($":{entrypoint}", "no_route").Inc();
            Log.NoRoute(logger, entrypoint, serverName ?? "-", client.RemoteEndPoint?.ToString() ?? "?");
            return; // returning closes the client connection
        }

        (var socket, var endpoint, target) = await ConnectAsync(target, () => routes.Find(entrypoint)?.Find(serverName), client.ConnectionClosed);
        if (client.ConnectionClosed.IsCancellationRequested)
        {
            // The client left while its connection waited for a task: not the tasks' failure.
            if (socket is not null)
            {
                CloseQuietly(socket);
            }

            return;
        }

        if (socket is null)
        {
            SwarmEdgeMetrics.TcpConnections.WithLabels(target.Service, "connect_failed").Inc();
            Log.NoTaskReachable(logger, target.Service, entrypoint);
            return;
        }

        if (postgres && !await AskForTlsAsync(socket, client.ConnectionClosed))
        {
            SwarmEdgeMetrics.TcpConnections.WithLabels(target.Service, "connect_failed").Inc();
            Log.TaskRefusedTls(logger, target.Service, endpoint!.TaskId);
            CloseQuietly(socket);
            return;
        }

        SwarmEdgeMetrics.TcpConnections.WithLabels(target.Service, "proxied").Inc();
        var open = SwarmEdgeMetrics.TcpConnectionsOpen.WithLabels(target.Service);
        open.Inc();
        var connection = connections.Open(endpoint!.TaskId, client.ConnectionClosed);
        try
        {
            await RelayAsync(client.Transport, socket, connection.Closing, target.Service);
        }
        finally
        {
            connections.Close(connection);
            open.Dec();
            CloseQuietly(socket);
        }
    }

    /// <summary>
    /// Connects to one of the target's tasks, another after each failure (ConnectAttempts at most). When every task
    /// failed and the last refused the connection (Swarm reports a task running before its program listens, and it
    /// can be the only one left while the old one drains), a new round tries the route's tasks again, as they are
    /// then, after 50, 100, 200, then every 400 ms, until RefusedWait has passed since the client arrived, as HTTP
    /// requests do. Only the first round logs each failed connect; the rounds after it are one line.
    /// </summary>
    private async Task<(Socket? Socket, TcpEndpoint? Endpoint, TcpTarget Target)> ConnectAsync(
        TcpTarget target, Func<TcpTarget?> current, CancellationToken clientClosed)
    {
        var started = Stopwatch.GetTimestamp();
        var tried = new HashSet<string>(StringComparer.Ordinal);
        var wait = TimeSpan.Zero;
        while (true)
        {
            Exception? failure = null;
            while (Pick(target, tried) is { } endpoint)
            {
                if (tried.Count >= _options.ConnectAttempts)
                {
                    return (null, null, target);
                }

                tried.Add(endpoint.TaskId);
                var (socket, error) = await TryConnectAsync(target, endpoint, logFailure: wait == TimeSpan.Zero, clientClosed);
                if (socket is not null || clientClosed.IsCancellationRequested)
                {
                    return (socket, socket is null ? null : endpoint, target);
                }

                failure = error;
            }

            // Every task of this round failed.
            wait = RefusedBackoff.Next(wait);
            if (failure is not SocketException { SocketErrorCode: SocketError.ConnectionRefused }
                || Stopwatch.GetElapsedTime(started) + wait > _options.RefusedWait)
            {
                return (null, null, target);
            }

            if (wait == RefusedBackoff.First)
            {
                Log.WaitingForRefusedTasks(logger, target.Service, tried.Count, _options.RefusedWait.TotalMilliseconds);
            }

            try
            {
                await Task.Delay(wait, clientClosed);
            }
            catch (OperationCanceledException)
            {
                return (null, null, target);
            }

            // The route as it is now: a task that arrived meanwhile can take the connection; a route that left, none.
            if (current() is not { } now)
            {
                return (null, null, target);
            }

            target = now;
            tried.Clear();
        }
    }

    private async Task<(Socket? Socket, Exception? Error)> TryConnectAsync(TcpTarget target, TcpEndpoint endpoint, bool logFailure, CancellationToken clientClosed)
    {
        var socket = new Socket(endpoint.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(clientClosed);
        timeout.CancelAfter(_options.ConnectTimeout);
        try
        {
            await socket.ConnectAsync(endpoint.Address, timeout.Token);
            return (socket, null);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            if (clientClosed.IsCancellationRequested)
            {
                return (null, ex);
            }

            connections.Failed(endpoint.TaskId, _options.FailedTaskCooldown);
            if (ex is OperationCanceledException || (ex is SocketException socketError && TransportFailures.NoAnswerFromNode(socketError)))
            {
                suspects.Suspect(endpoint.NodeId, target.Service, $"task {endpoint.TaskId} of {target.Service} did not answer a connection");
            }

            SwarmEdgeMetrics.TcpConnectFailures.WithLabels(target.Service).Inc();
            if (logFailure)
            {
                Log.ConnectFailed(logger, target.Service, endpoint.TaskId, endpoint.Address.ToString(),
                    ex is OperationCanceledException ? "timed out" : ex.Message);
            }

            return (null, ex);
        }
    }

    /// <summary>
    /// Reads the client's first bytes, without consuming them, until the TLS server name is known (or the bytes
    /// are not TLS: then the entrypoint's plain route). A PostgreSQL SSLRequest is consumed and answered first.
    /// A client that sends nothing useful within the TLS handshake timeout gets no route.
    /// </summary>
    private async Task<(TcpTarget? Target, string? ServerName, bool Postgres)> ChooseBySniAsync(TcpEntrypointRoutes routesHere, ConnectionContext client)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(client.ConnectionClosed);
        timeout.CancelAfter(_options.ConnectTimeout * 5);
        var input = client.Transport.Input;
        var postgres = false;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(timeout.Token);
                var buffer = result.Buffer;
                if (!postgres && buffer.Length >= 8 && buffer.Slice(0, 8).ToArray().AsSpan().SequenceEqual(TlsClientHello.PostgresSslRequest))
                {
                    input.AdvanceTo(buffer.GetPosition(8));
                    postgres = true;
                    await client.Transport.Output.WriteAsync("S"u8.ToArray(), timeout.Token);
                    continue;
                }

                string? name = null;
                var outcome = postgres || buffer.Length >= 8 || buffer.IsEmpty || buffer.FirstSpan[0] == 0x16
                    ? TlsClientHello.TryRead(buffer, out name)
                    : TlsClientHello.Outcome.NeedMore; // maybe the start of an SSLRequest
                if (outcome == TlsClientHello.Outcome.NeedMore && !result.IsCompleted && buffer.Length < TlsClientHello.MaxRecord)
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                }

                input.AdvanceTo(buffer.Start);
                return (outcome == TlsClientHello.Outcome.Hello ? routesHere.Find(name) : routesHere.Plain, name, postgres);
            }
        }
        catch (OperationCanceledException)
        {
            return (null, null, false);
        }
    }

    /// <summary>Sends the task the SSLRequest the client sent the edge; true when it answers 'S' (TLS follows).</summary>
    private async Task<bool> AskForTlsAsync(Socket task, CancellationToken clientClosed)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(clientClosed);
        timeout.CancelAfter(_options.ConnectTimeout * 5);
        try
        {
            await task.SendAsync(TlsClientHello.PostgresSslRequest.ToArray(), SocketFlags.None, timeout.Token);
            var answer = new byte[1];
            return await task.ReceiveAsync(answer, SocketFlags.None, timeout.Token) == 1 && answer[0] == (byte)'S';
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Fewest open connections wins; ties rotate. Tasks that just failed, then tasks on suspect nodes, count only
    /// when nothing else is left.
    /// </summary>
    private TcpEndpoint? Pick(TcpTarget target, HashSet<string> tried)
    {
        var untried = HealthyFirst.Choose(target.Endpoints.Where(e => !tried.Contains(e.TaskId)), e => !connections.RecentlyFailed(e.TaskId));
        var pool = suspects.Any ? HealthyFirst.Choose(untried, e => !suspects.IsSuspect(e.NodeId, target.Service)) : untried;
        if (pool.Count == 0)
        {
            return null;
        }

        var start = (int)((uint)Interlocked.Increment(ref _rotation) % (uint)pool.Count);
        TcpEndpoint? best = null;
        var bestCount = int.MaxValue;
        for (var i = 0; i < pool.Count; i++)
        {
            var candidate = pool[(start + i) % pool.Count];
            var count = connections.CountFor(candidate.TaskId);
            if (count < bestCount)
            {
                best = candidate;
                bestCount = count;
            }
        }

        return best;
    }

    private async Task RelayAsync(IDuplexPipe client, Socket task, CancellationToken closing, string service)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(closing);
        idle.CancelAfter(_options.IdleTimeout);
        var bytesIn = SwarmEdgeMetrics.TcpBytes.WithLabels(service, "in");
        var bytesOut = SwarmEdgeMetrics.TcpBytes.WithLabels(service, "out");

        var up = ClientToTaskAsync(client.Input, task, idle, bytesIn);
        var down = TaskToClientAsync(task, client.Output, idle, bytesOut);

        // The task closing (or failing) ends the connection. The client closing its sending side is a
        // half-close: the task may still answer, so the relay goes on until the task closes or idles out.
        if (await Task.WhenAny(up, down) == down)
        {
            await idle.CancelAsync();
        }

        await Task.WhenAll(up, down);
        await client.Output.CompleteAsync();
        await client.Input.CompleteAsync();
    }

    private async Task ClientToTaskAsync(PipeReader input, Socket task, CancellationTokenSource idle, Prometheus.Counter.Child bytes)
    {
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(idle.Token);
                var buffer = result.Buffer;
                foreach (var segment in buffer)
                {
                    await task.SendAsync(segment, SocketFlags.None, idle.Token);
                }

                if (!buffer.IsEmpty)
                {
                    bytes.Inc(buffer.Length);
                    idle.CancelAfter(_options.IdleTimeout);
                }

                input.AdvanceTo(buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }

            task.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or ConnectionResetException or IOException)
        {
            // Closing, idle, or one side went away: the relay ends.
        }
    }

    private async Task TaskToClientAsync(Socket task, PipeWriter output, CancellationTokenSource idle, Prometheus.Counter.Child bytes)
    {
        try
        {
            while (true)
            {
                var memory = output.GetMemory(16 * 1024);
                var read = await task.ReceiveAsync(memory, SocketFlags.None, idle.Token);
                if (read == 0)
                {
                    break;
                }

                output.Advance(read);
                bytes.Inc(read);
                idle.CancelAfter(_options.IdleTimeout);
                var flush = await output.FlushAsync(idle.Token);
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or ConnectionResetException or IOException)
        {
            // Closing, idle, or one side went away: the relay ends.
        }
    }

    private static void CloseQuietly(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed by the task.
        }

        socket.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 500, Level = LogLevel.Warning,
            Message = "TCP connection from {Client} to entrypoint {Entrypoint} (server name {ServerName}) closed: no service serves it")]
        public static partial void NoRoute(ILogger logger, int entrypoint, string serverName, string client);

        [LoggerMessage(EventId = 503, Level = LogLevel.Warning,
            Message = "Service {Service}: task {Task} did not accept the client's PostgreSQL SSLRequest; closed the connection")]
        public static partial void TaskRefusedTls(ILogger logger, string service, string task);

        [LoggerMessage(EventId = 501, Level = LogLevel.Warning, Message = "Service {Service}: connect to task {Task} at {Address} failed: {Error}")]
        public static partial void ConnectFailed(ILogger logger, string service, string task, string address, string error);

        [LoggerMessage(EventId = 504, Level = LogLevel.Information,
            Message = "Service {Service}: every task tried ({Tried}) refused the connection; trying the route's tasks again for up to {WaitMs} ms")]
        public static partial void WaitingForRefusedTasks(ILogger logger, string service, int tried, double waitMs);

        [LoggerMessage(EventId = 502, Level = LogLevel.Warning,
            Message = "Service {Service}: no task reachable for a connection on entrypoint {Entrypoint}; closed it")]
        public static partial void NoTaskReachable(ILogger logger, string service, int entrypoint);
    }
}
