using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.ObjectPool;
using SwarmEdge.Catalog;

namespace SwarmEdge.Proxy;

/// <summary>
/// Retryable requests forwarded to a task and still waiting for its response headers, by cluster (a service's
/// tasks on one port) and task, with the time each task last answered there and the task's address.
///
/// A lost node's connections hang instead of failing, so requests already sent to its tasks may never be
/// answered. Aborting the ones that have no response yet lets the retry middleware send them to another task:
/// a lost node then costs clients latency, not errors. StallDetector decides when: a task that left the
/// rotation, or that answers nothing while its peers answer, is aborted only when its node does not answer a
/// connection attempt either. A request that reached a live task is never sent again; a request whose response
/// has started is never aborted.
/// </summary>
internal sealed class PendingResponses(TimeProvider time)
{
    /// <summary>Longer than any stall timeout: a task quiet for this long is no peer that answers.</summary>
    internal static readonly TimeSpan IdleRetention = 2 * ServiceLabelParser.MaxDuration;

    private readonly ConcurrentDictionary<(string Cluster, string Task), TaskActivity> _byTask = new();

    // An attempt's token source comes back reset when it was not cancelled: YARP registers on its token for every
    // forward, and a new source allocates its registrations again each time. Room for every request in flight of a
    // busy edge; a source returned beyond that is disposed.
    private readonly ObjectPool<CancellationTokenSource> _tokenSources =
        new DefaultObjectPoolProvider { MaximumRetained = 1024 }.Create(new ResetTokenSourcePolicy());

    /// <param name="address">The task's destination address (http://ip:port/), for the reachability probe.</param>
    /// <param name="cancellationToken">What else cancels the attempt, if anything (the client's own abort is YARP's).</param>
    public Attempt Begin(string taskId, string cluster, string address, RetryState state, CancellationToken cancellationToken)
    {
        var task = _byTask.GetOrAdd((cluster, taskId), static (key, arg) => new TaskActivity(key.Task, key.Cluster, EndpointOf(arg.address), arg.time), (address, time));
        var attempt = new Attempt(task, state, time.GetTimestamp(), cancellationToken, _tokenSources);
        task.Pending.TryAdd(attempt, 0);
        return attempt;
    }

    /// <param name="answered">The forward ended without an error: the task sent its response (an empty body may
    /// only start the client's response after the forward, when the request's OnStarting runs).</param>
    public static void End(Attempt attempt, bool answered = false)
    {
        if (answered)
        {
            attempt.Responded();
        }

        attempt.Task.Pending.TryRemove(attempt, out _);
        attempt.Dispose();
    }

    /// <summary>Aborts the attempts that wait for a response from this task in this cluster; returns how many.</summary>
    public int Abort(string cluster, string taskId) =>
        _byTask.TryGetValue((cluster, taskId), out var task) ? task.Pending.Keys.Count(a => a.TryAbort()) : 0;

    /// <summary>The task's address, as its requests were sent to it (null for a task never sent one).</summary>
    public IPEndPoint? AddressOf(string cluster, string taskId) => _byTask.TryGetValue((cluster, taskId), out var task) ? task.Address : null;

    /// <summary>
    /// Tasks that left a cluster's rotation: what waits on them is left to StallDetector, which aborts it if
    /// their node is lost. Returns how many requests wait on them.
    /// </summary>
    public int Depart(IEnumerable<(string Cluster, string Task)> departed) =>
        departed.Sum(key => _byTask.TryGetValue(key, out var task) ? task.Depart() : 0);

    /// <summary>
    /// What the stall policy looks at, as of now. Tasks with nothing waiting are forgotten once they departed, or
    /// once they have been quiet for longer than any stall timeout: a request routed to a task a moment after it
    /// departed re-creates its entry, and nothing would remove it again.
    /// </summary>
    public IReadOnlyList<StallPolicy.TaskView> Views(long now)
    {
        var views = new List<StallPolicy.TaskView>(_byTask.Count);
        foreach (var task in _byTask.Values)
        {
            var view = task.View(now);
            if (view.OldestPending is null && (view.Departed || view.SinceLastResponse > IdleRetention))
            {
                _byTask.TryRemove(KeyValuePair.Create((task.Service, task.TaskId), task));
                continue;
            }

            views.Add(view);
        }

        return views;
    }

    private static IPEndPoint? EndpointOf(string address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri) && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip)
            ? new IPEndPoint(ip, uri.Port)
            : null;

    /// <param name="service">The cluster: the service, or "service:port" for a router on a port of its own.</param>
    internal sealed class TaskActivity(string taskId, string service, IPEndPoint? address, TimeProvider time)
    {
        private long _lastResponse = time.GetTimestamp();
        private volatile bool _departed;

        public string TaskId { get; } = taskId;

        public string Service { get; } = service;

        public IPEndPoint? Address { get; } = address;

        public ConcurrentDictionary<Attempt, byte> Pending { get; } = new();

        public void Responded() => Volatile.Write(ref _lastResponse, time.GetTimestamp());

        public int Depart()
        {
            _departed = true;
            return Pending.Count;
        }

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
                oldest is { } started ? time.GetElapsedTime(started, now) : null,
                time.GetElapsedTime(Volatile.Read(ref _lastResponse), now),
                _departed);
        }
    }

    internal sealed class Attempt : IDisposable
    {
        private readonly CancellationTokenSource _abort;
        private readonly ObjectPool<CancellationTokenSource>? _pool;
        private readonly RetryState _state;
        private int _finished;
        private bool _disposed;

        public Attempt(TaskActivity task, RetryState state, long started, CancellationToken cancellationToken, ObjectPool<CancellationTokenSource> pool)
        {
            Task = task;
            _state = state;
            Started = started;
            if (cancellationToken.CanBeCanceled)
            {
                _abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            }
            else
            {
                _abort = pool.Get();
                _pool = pool;
            }
        }

        public TaskActivity Task { get; }

        public long Started { get; }

        /// <summary>Cancelled when the attempt is aborted to be retried (or when the token it was begun with is).</summary>
        public CancellationToken Token => _abort.Token;

        /// <summary>
        /// The response started: from now on the attempt is never aborted. Only an attempt still under way counts
        /// as its task answering: the callback is the request's, and also runs when a retry's response starts on
        /// another task after this attempt failed or was aborted (the failed task would look alive).
        /// </summary>
        public void Responded()
        {
            if (Interlocked.Exchange(ref _finished, 1) == 0)
            {
                Task.Responded();
            }
        }

        /// <summary>
        /// Cancels the attempt's token unless it has finished. The lock keeps the token source from going back to
        /// the pool (and to another request) while it is being cancelled here; it is the attempt itself, which only
        /// this class sees, so that a request allocates no lock object.
        /// </summary>
        public bool TryAbort()
        {
            lock (this)
            {
                if (Interlocked.CompareExchange(ref _finished, 1, 0) != 0)
                {
                    return false;
                }

                _state.MarkAborted();
                try
                {
                    _abort.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // The forward ended inside Cancel (its continuations ran on this thread) and disposed the source.
                }

                return true;
            }
        }

        /// <summary>Once only: a pooled source returned twice would be handed to two requests at once.</summary>
        public void Dispose()
        {
            lock (this)
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
                Interlocked.Exchange(ref _finished, 1);
                if (_pool is null)
                {
                    _abort.Dispose();
                }
                else
                {
                    _pool.Return(_abort);
                }
            }
        }
    }

    /// <summary>A token source goes back to the pool only when it can be reset (it was not cancelled).</summary>
    private sealed class ResetTokenSourcePolicy : PooledObjectPolicy<CancellationTokenSource>
    {
        public override CancellationTokenSource Create() => new();

        public override bool Return(CancellationTokenSource source) => source.TryReset();
    }
}
