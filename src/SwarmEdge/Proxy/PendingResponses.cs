using System.Collections.Concurrent;
using System.Diagnostics;

namespace SwarmEdge.Proxy;

/// <summary>
/// Retryable requests forwarded to a task and still waiting for its response headers, by task, with the time
/// each task last answered.
///
/// A lost node's connections hang instead of failing, so requests already sent to its tasks may never be
/// answered. Aborting the ones that have no response yet lets the retry middleware send them to another task:
/// a lost node then costs clients latency, not errors. That happens when a task leaves the rotation (the
/// applier) and when a task stops answering while its peers answer (StallDetector). A request whose response
/// has started is never aborted.
/// </summary>
internal sealed class PendingResponses
{
    private readonly ConcurrentDictionary<string, TaskActivity> _byTask = new(StringComparer.Ordinal);

    public Attempt Begin(string taskId, string service, RetryState state, CancellationToken requestAborted)
    {
        var task = _byTask.GetOrAdd(taskId, static (id, s) => new TaskActivity(id, s), service);
        var attempt = new Attempt(task, state, requestAborted);
        task.Pending.TryAdd(attempt, 0);
        return attempt;
    }

    public static void End(Attempt attempt)
    {
        attempt.Task.Pending.TryRemove(attempt, out _);
        attempt.Dispose();
    }

    /// <summary>Aborts the attempts that wait for a response from these tasks; returns how many.</summary>
    public int Abort(IEnumerable<string> taskIds) =>
        taskIds.Sum(id => _byTask.TryGetValue(id, out var task) ? task.Pending.Keys.Count(a => a.TryAbort()) : 0);

    /// <summary>Tasks that left for good: aborts what waits on them and forgets them.</summary>
    public int Depart(IEnumerable<string> taskIds)
    {
        var ids = taskIds.ToList();
        var aborted = Abort(ids);
        foreach (var id in ids)
        {
            _byTask.TryRemove(id, out _);
        }

        return aborted;
    }

    /// <summary>What the stall policy looks at, as of now.</summary>
    public IReadOnlyList<StallPolicy.TaskView> Views(long now) =>
        _byTask.Values.Select(t => t.View(now)).ToList();

    internal sealed class TaskActivity(string taskId, string service)
    {
        private long _lastResponse = Stopwatch.GetTimestamp();

        public string TaskId { get; } = taskId;

        public string Service { get; } = service;

        public ConcurrentDictionary<Attempt, byte> Pending { get; } = new();

        public void Responded() => Volatile.Write(ref _lastResponse, Stopwatch.GetTimestamp());

        public StallPolicy.TaskView View(long now)
        {
            long? oldest = null;
            foreach (var attempt in Pending.Keys)
            {
                oldest = oldest is { } o ? Math.Min(o, attempt.Started) : attempt.Started;
            }

            return new StallPolicy.TaskView(
                TaskId,
                Service,
                oldest is { } started ? Stopwatch.GetElapsedTime(started, now) : null,
                Stopwatch.GetElapsedTime(Volatile.Read(ref _lastResponse), now));
        }
    }

    internal sealed class Attempt : IDisposable
    {
        private readonly CancellationTokenSource _abort;
        private readonly RetryState _state;
        private int _finished;

        public Attempt(TaskActivity task, RetryState state, CancellationToken requestAborted)
        {
            Task = task;
            _state = state;
            _abort = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        }

        public TaskActivity Task { get; }

        public long Started { get; } = Stopwatch.GetTimestamp();

        /// <summary>Cancelled when the client goes away or when the attempt is aborted to be retried.</summary>
        public CancellationToken Token => _abort.Token;

        /// <summary>The response started: from now on the attempt is never aborted.</summary>
        public void Responded()
        {
            Interlocked.Exchange(ref _finished, 1);
            Task.Responded();
        }

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
    /// <summary>The current attempt was aborted (its task left or stalled) before any response byte.</summary>
    public bool AbortedBecauseTaskLeft { get; set; }
}
