using System.Net;
using System.Net.Sockets;
using Docker.DotNet;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using SwarmEdge.Admin;

namespace SwarmEdge.Discovery;

/// <summary>
/// The Docker Engine API of one or more swarm managers. Calls go to the current endpoint; a transient failure
/// (refused, timeout, "not a swarm manager", 5xx) moves to the next endpoint, and the Polly pipeline retries
/// with backoff, so losing one manager costs one retry, not the view of the swarm.
/// </summary>
internal sealed partial class DockerApi : IDisposable
{
    private readonly (string Endpoint, DockerClient Client)[] _clients;
    private readonly ResiliencePipeline _pipeline;
    private readonly ILogger<DockerApi> _logger;
    private int _current;
    private CancellationTokenSource _endpointChanged = new();

    public DockerApi(IOptions<SwarmEdgeOptions> options, ILogger<DockerApi> logger)
    {
        _logger = logger;
        var docker = options.Value.Docker;
        if (docker.Endpoints.Count == 0)
        {
            throw new InvalidOperationException("SwarmEdge:Docker:Endpoints is empty: name at least one Docker API endpoint");
        }

        _clients = docker.Endpoints
            .Select(e => (e, new DockerClientBuilder().WithEndpoint(new Uri(e)).Build()))
            .ToArray();

        _pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
                // Every endpoint gets at least one try before a read is given up on.
                MaxRetryAttempts = Math.Max(2, _clients.Length),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(100),
                MaxDelay = options.Value.Discovery.MaxRetryDelay,
                OnRetry = args =>
                {
                    Log.Retrying(_logger, args.AttemptNumber + 1, Describe(args.Outcome.Exception));
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(docker.RequestTimeout)
            .Build();
    }

    public string CurrentEndpoint => _clients[Volatile.Read(ref _current)].Endpoint;

    /// <summary>
    /// Cancelled when calls move to another endpoint. The event stream listens to it: a manager cut off from
    /// the swarm keeps its stream open and silent, so a failover seen by other calls must move the stream too.
    /// </summary>
    public CancellationToken EndpointChanged => Volatile.Read(ref _endpointChanged).Token;

    /// <summary>One bounded API request, retried and failed over.</summary>
    public ValueTask<T> CallAsync<T>(string operation, Func<DockerClient, CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        _pipeline.ExecuteAsync(
            async ct =>
            {
                var index = Volatile.Read(ref _current);
                SwarmEdgeMetrics.DockerApiRequests.WithLabels(operation).Inc();
                try
                {
                    return await call(_clients[index].Client, ct);
                }
                catch (Exception ex) when (IsTransient(ex) && !cancellationToken.IsCancellationRequested)
                {
                    FailOver(index, ex);
                    throw;
                }
            },
            cancellationToken);

    /// <summary>
    /// A long-lived request (the event stream) on the current endpoint, without the per-request timeout.
    /// On a transient failure the next call goes to the next endpoint.
    /// </summary>
    public async Task StreamAsync(string operation, Func<DockerClient, CancellationToken, Task> call, CancellationToken cancellationToken)
    {
        var index = Volatile.Read(ref _current);
        SwarmEdgeMetrics.DockerApiRequests.WithLabels(operation).Inc();
        try
        {
            await call(_clients[index].Client, cancellationToken);
        }
        catch (Exception ex) when (IsTransient(ex) && !cancellationToken.IsCancellationRequested)
        {
            FailOver(index, ex);
            throw;
        }
    }

    /// <summary>Failures worth another try, possibly on another manager. A 4xx other than 404/503 is a bug, not weather.</summary>
    public static bool IsTransient(Exception ex) => ex switch
    {
        AggregateException agg => agg.InnerExceptions.Any(IsTransient),
        DockerApiException api => api.StatusCode is HttpStatusCode.ServiceUnavailable or >= HttpStatusCode.InternalServerError,
        HttpRequestException or IOException or SocketException or TimeoutRejectedException => true,
        TaskCanceledException or OperationCanceledException => true,
        _ => ex.InnerException is not null && IsTransient(ex.InnerException),
    };

    public static string Describe(Exception? ex) => ex switch
    {
        null => "unknown error",
        AggregateException { InnerExceptions.Count: 1 } agg => Describe(agg.InnerExceptions[0]),
        DockerApiException api => $"HTTP {(int)api.StatusCode}: {api.ResponseBody?.Trim()}",
        TimeoutRejectedException => "timed out",
        _ when ex.InnerException is SocketException se => $"{ex.Message} ({se.Message})",
        _ => ex.Message,
    };

    private void FailOver(int failedIndex, Exception ex)
    {
        if (_clients.Length == 1)
        {
            return;
        }

        var next = (failedIndex + 1) % _clients.Length;
        if (Interlocked.CompareExchange(ref _current, next, failedIndex) == failedIndex)
        {
            Log.FailingOver(_logger, _clients[failedIndex].Endpoint, Describe(ex), _clients[next].Endpoint);
            var changed = Interlocked.Exchange(ref _endpointChanged, new CancellationTokenSource());
            changed.Cancel();
            changed.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var (_, client) in _clients)
        {
            client.Dispose();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 100, Level = LogLevel.Warning,
            Message = "Docker API endpoint {Endpoint} failed ({Error}); switching to {Next}")]
        public static partial void FailingOver(ILogger logger, string endpoint, string error, string next);

        [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "Docker API request retry {Attempt} after: {Error}")]
        public static partial void Retrying(ILogger logger, int attempt, string error);
    }
}
