using System.Collections.Concurrent;

namespace SwarmEdge.Proxy;

/// <summary>
/// Retryable requests forwarded to a task and still waiting for its response headers, by task ID.
///
/// When a task leaves the rotation (it is stopping, or DNS or the manager says its node is gone), requests
/// already sent to it may never be answered: a lost node's connections hang instead of failing. Aborting the
/// ones that have no response yet lets the retry middleware send them to another task, so a lost node costs
/// clients latency, not errors. A request whose response has started is never aborted.
/// </summary>
internal sealed class PendingResponses
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Attempt, byte>> _byTask = new(StringComparer.Ordinal);

    public Attempt Begin(string taskId, RetryState state, CancellationToken requestAborted)
    {
        var attempt = new Attempt(taskId, state, requestAborted);
        _byTask.GetOrAdd(taskId, static _ => new ConcurrentDictionary<Attempt, byte>()).TryAdd(attempt, 0);
        return attempt;
    }

    public void End(Attempt attempt)
    {
        if (_byTask.TryGetValue(attempt.TaskId, out var attempts))
        {
            attempts.TryRemove(attempt, out _);
        }

        attempt.Dispose();
    }

    /// <summary>Aborts the attempts that wait for a response from these tasks; returns how many.</summary>
    public int Abort(IEnumerable<string> taskIds)
    {
        var aborted = 0;
        foreach (var taskId in taskIds)
        {
            if (!_byTask.TryRemove(taskId, out var attempts))
            {
                continue;
            }

            foreach (var attempt in attempts.Keys)
            {
                if (attempt.TryAbort())
                {
                    aborted++;
                }
            }
        }

        return aborted;
    }

    internal sealed class Attempt : IDisposable
    {
        private readonly CancellationTokenSource _abort;
        private readonly RetryState _state;
        private int _finished;

        public Attempt(string taskId, RetryState state, CancellationToken requestAborted)
        {
            TaskId = taskId;
            _state = state;
            _abort = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        }

        public string TaskId { get; }

        /// <summary>Cancelled when the client goes away or when the task leaves the rotation.</summary>
        public CancellationToken Token => _abort.Token;

        /// <summary>The response started: from now on the attempt is never aborted.</summary>
        public void Responded() => Interlocked.Exchange(ref _finished, 1);

        public bool TryAbort()
        {
            if (Interlocked.CompareExchange(ref _finished, 1, 0) != 0)
            {
                return false;
            }

            _state.AbortedBecauseTaskLeft = true;
            try
            {
                _abort.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The attempt ended between the check above and now: there is nothing left to abort.
            }

            return true;
        }

        public void Dispose()
        {
            Interlocked.Exchange(ref _finished, 1);
            _abort.Dispose();
        }
    }
}

/// <summary>Per-request state of a retryable request, shared by the retry middleware and the pending tracker.</summary>
internal sealed class RetryState
{
    /// <summary>The current attempt was aborted because its task left the rotation before answering.</summary>
    public bool AbortedBecauseTaskLeft { get; set; }
}
