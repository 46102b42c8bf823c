using System.Collections.Concurrent;

namespace SwarmEdge.Proxy.Tcp;

/// <summary>
/// Open TCP connections by task, for least-connections balancing and for draining: when a task leaves the
/// rotation its connections are closed after the drain timeout unless the task closes them first. Also
/// remembers tasks that just failed a connect, so the next connections skip them for a while.
/// </summary>
internal sealed class TcpConnections(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Connection, byte>> _byTask = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _failedUntil = new(StringComparer.Ordinal);

    public int CountFor(string taskId) => _byTask.TryGetValue(taskId, out var set) ? set.Count : 0;

    public bool RecentlyFailed(string taskId) =>
        _failedUntil.TryGetValue(taskId, out var until) && until > time.GetUtcNow();

    public void Failed(string taskId, TimeSpan cooldown) => _failedUntil[taskId] = time.GetUtcNow() + cooldown;

    public Connection Open(string taskId, CancellationToken clientClosed)
    {
        var connection = new Connection(taskId, clientClosed);
        _byTask.GetOrAdd(taskId, static _ => new ConcurrentDictionary<Connection, byte>()).TryAdd(connection, 0);
        _failedUntil.TryRemove(taskId, out _);
        return connection;
    }

    public void Close(Connection connection)
    {
        if (_byTask.TryGetValue(connection.TaskId, out var set))
        {
            set.TryRemove(connection, out _);
        }

        connection.Dispose();
    }

    /// <summary>Schedules the close of every connection to these tasks; returns how many.</summary>
    public int Drain(IEnumerable<string> taskIds, TimeSpan after)
    {
        var drained = 0;
        foreach (var taskId in taskIds)
        {
            _failedUntil.TryRemove(taskId, out _);
            if (_byTask.TryRemove(taskId, out var set))
            {
                foreach (var connection in set.Keys)
                {
                    connection.CloseAfter(after);
                    drained++;
                }
            }
        }

        return drained;
    }

    internal sealed class Connection : IDisposable
    {
        private readonly CancellationTokenSource _close;

        public Connection(string taskId, CancellationToken clientClosed)
        {
            TaskId = taskId;
            _close = CancellationTokenSource.CreateLinkedTokenSource(clientClosed);
        }

        public string TaskId { get; }

        /// <summary>Cancelled when the client leaves or the drain timeout of a departed task runs out.</summary>
        public CancellationToken Closing => _close.Token;

        public void CloseAfter(TimeSpan delay)
        {
            try
            {
                _close.CancelAfter(delay);
            }
            catch (ObjectDisposedException)
            {
                // Already closed.
            }
        }

        public void Dispose() => _close.Dispose();
    }
}
