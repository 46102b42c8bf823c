using System.Collections.Concurrent;
using System.Diagnostics;

namespace SwarmEdge.IntegrationTests.Lab;

/// <summary>
/// Continuous HTTP load through SwarmEdge: a fixed number of keep-alive connections, each sending GETs back to
/// back. Every response is checked; every failure is kept with its time and reason; each task's first and
/// last response time is tracked, so tests can say which tasks served when.
/// </summary>
internal sealed class LoadGenerator : IAsyncDisposable
{
    private readonly HttpClient _client;
    private readonly Uri _uri;
    private readonly string _host;
    private readonly int _connections;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly ConcurrentDictionary<string, TaskStats> _tasks = new();
    private readonly ConcurrentQueue<(double At, double Seconds, bool Failed)> _samples = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private Task[] _workers = [];
    private long _requests;
    private long _maxLatencyTicks;

    private readonly bool _closeEach;

    /// <param name="timeout">What a client waits for one request; 30 s is a patient client, a lost node may cost seconds.</param>
    public LoadGenerator(Uri proxy, string host, int connections, string path = "/", HttpsClient? https = null, bool closeEach = false,
        TimeSpan? timeout = null)
    {
        _uri = new Uri(proxy, path);
        _host = host;
        _connections = connections;
        _closeEach = closeEach;
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        https?.Configure(handler);
        _client = new HttpClient(handler) { Timeout = timeout ?? TimeSpan.FromSeconds(30) };
    }

    public long Requests => Interlocked.Read(ref _requests);

    public IReadOnlyList<string> Failures => _failures.ToList();

    /// <summary>The slowest request so far, in seconds.</summary>
    public double MaxLatency => Volatile.Read(ref _maxLatencyTicks) / (double)Stopwatch.Frequency;

    /// <summary>Seconds since the generator was created: the clock every time here is on.</summary>
    public double Now => _clock.Elapsed.TotalSeconds;

    public LoadGenerator Start()
    {
        _workers = Enumerable.Range(0, _connections).Select(_ => Task.Run(WorkAsync)).ToArray();
        return this;
    }

    public async Task StopAsync()
    {
        _stop.Cancel();
        await Task.WhenAll(_workers);
    }

    /// <summary>Requests that ended between the two times (seconds on Now's clock): count, failed, p50 and p99 in ms.</summary>
    public (int Requests, int Failed, double P50Ms, double P99Ms) Window(double from, double to)
    {
        var window = _samples.Where(s => s.At >= from && s.At < to).ToList();
        var latencies = window.Select(s => s.Seconds * 1000).Order().ToList();
        double Percentile(double p) => latencies.Count == 0 ? 0 : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p * latencies.Count) - 1)];
        return (window.Count, window.Count(s => s.Failed), Percentile(0.5), Percentile(0.99));
    }

    /// <summary>
    /// The longest stretch between the two times (seconds on Now's clock) in which no request ended with an
    /// answer: how long clients saw nothing but failures or waiting.
    /// </summary>
    public double LongestGap(double from, double to)
    {
        var answered = _samples.Where(s => !s.Failed && s.At >= from && s.At < to).Select(s => s.At).Order().Prepend(from).Append(to).ToList();
        return answered.Zip(answered.Skip(1), (a, b) => b - a).Max();
    }

    /// <summary>Task IDs that answered at or after the given time.</summary>
    public IReadOnlySet<string> TasksSeenSince(double since) =>
        _tasks.Where(t => t.Value.Last >= since).Select(t => t.Key).ToHashSet();

    /// <summary>When the task first answered, or null if it never did.</summary>
    public double? FirstSeen(string taskId) => _tasks.TryGetValue(taskId, out var stats) ? stats.First : null;

    /// <summary>Wall-clock time of the task's first answer, to compare with Docker's task timestamps.</summary>
    public DateTime? FirstSeenUtc(string taskId) => _tasks.TryGetValue(taskId, out var stats) ? stats.FirstUtc : null;

    public IReadOnlyDictionary<string, long> CountsByTask => _tasks.ToDictionary(t => t.Key, t => t.Value.Count);

    public Task WaitForRequestsAsync(long count, TimeSpan timeout) =>
        Eventually.HoldsAsync(() => Requests >= count, timeout, $"{count} requests sent");

    private async Task WorkAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, _uri);
            request.Headers.Host = _host;
            if (_closeEach)
            {
                // A new connection (and, over HTTPS, a new TLS handshake) for every request.
                request.Headers.ConnectionClose = true;
            }
            string? failure = null;
            string? task = null;
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var response = await _client.SendAsync(request, _stop.Token);
                var body = await response.Content.ReadAsStringAsync(_stop.Token);
                if ((int)response.StatusCode != 200)
                {
                    failure = $"HTTP {(int)response.StatusCode} {body.Trim()}";
                }
                else
                {
                    task = TaskIdOf(body);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                failure = $"{ex.GetType().Name}: {ex.Message}" + (ex.InnerException is { } inner ? $" ({inner.Message})" : "");
            }

            var now = Now;
            Interlocked.Increment(ref _requests);
            var took = Stopwatch.GetTimestamp() - started;
            for (var max = Volatile.Read(ref _maxLatencyTicks); took > max; max = Volatile.Read(ref _maxLatencyTicks))
            {
                Interlocked.CompareExchange(ref _maxLatencyTicks, took, max);
            }
            _samples.Enqueue((now, took / (double)Stopwatch.Frequency, failure is not null));
            if (failure is not null)
            {
                _failures.Enqueue($"{now:0.000}s {failure}");
            }
            else if (task is not null)
            {
                _tasks.AddOrUpdate(task, _ => new TaskStats(now), (_, s) => s.Seen(now));
            }
        }
    }

    /// <summary>"svc.2.abc123 /path" → "abc123": the whoami task's host name ends with its task ID.</summary>
    public static string TaskIdOf(string body)
    {
        var hostname = body.Split(' ', 2)[0].Trim();
        return hostname[(hostname.LastIndexOf('.') + 1)..];
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _client.Dispose();
    }

    private sealed class TaskStats(double first)
    {
        private long _count = 1;
        private double _last = first;

        public double First { get; } = first;

        public DateTime FirstUtc { get; } = DateTime.UtcNow;

        public double Last => Volatile.Read(ref _last);

        public long Count => Interlocked.Read(ref _count);

        public TaskStats Seen(double at)
        {
            Interlocked.Increment(ref _count);
            Volatile.Write(ref _last, Math.Max(_last, at));
            return this;
        }
    }
}
