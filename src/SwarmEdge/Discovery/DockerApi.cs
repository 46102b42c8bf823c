using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using Docker.DotNet;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Hedging;
using Polly.Retry;
using Polly.Timeout;
using SwarmEdge.Admin;

namespace SwarmEdge.Discovery;

/// <summary>
/// The Docker Engine API of one or more swarm managers. Calls go to the current endpoint; a transient failure
/// (refused, timeout, "not a swarm manager", 5xx) moves to the next endpoint, and the Polly pipeline retries
/// with backoff, so losing one manager costs one retry, not the view of the swarm. A call the current endpoint
/// leaves unanswered for HedgeAfter is also sent to the next one (Polly hedging): a manager cut off from the
/// swarm keeps its socket open and answers nothing until RequestTimeout.
/// </summary>
internal sealed partial class DockerApi : IDisposable
{
    /// <summary>The endpoint a hedged attempt goes to; absent (-1) for the first attempt: the current endpoint.</summary>
    private static readonly ResiliencePropertyKey<int> HedgedEndpoint = new("swarmedge.docker.hedged-endpoint");

    private readonly (string Endpoint, DockerClient Client)[] _clients;
    private readonly DockerOptions _docker;
    private readonly TimeSpan _maxRetryDelay;
    private readonly ConcurrentDictionary<Type, object> _pipelines = new();
    private readonly ILogger<DockerApi> _logger;
    private int _current;
    private CancellationTokenSource _endpointChanged = new();

    public DockerApi(IOptions<SwarmEdgeOptions> options, ILogger<DockerApi> logger)
    {
        _logger = logger;
        _docker = options.Value.Docker;
        _maxRetryDelay = options.Value.Discovery.MaxRetryDelay;
        // SwarmEdgeOptionsValidator has checked the list at start: not empty, each one a DockerEndpoint.
        _clients = _docker.Endpoints
            .Select(e => (e, new DockerClientBuilder().WithEndpoint(DockerEndpoint.TryParse(e, out var uri) ? uri : throw new ArgumentException(e)).Build()))
            .ToArray();
    }

    public string CurrentEndpoint => _clients[Volatile.Read(ref _current)].Endpoint;

    /// <summary>
    /// Cancelled when calls move to another endpoint. The event stream listens to it: a manager cut off from
    /// the swarm keeps its stream open and silent, so a failover seen by other calls must move the stream too.
    /// </summary>
    public CancellationToken EndpointChanged => Volatile.Read(ref _endpointChanged).Token;

    /// <summary>One bounded API request, hedged, retried and failed over.</summary>
    public async ValueTask<T> CallAsync<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] T>(string operation, Func<DockerClient, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var pipeline = (ResiliencePipeline<T>)_pipelines.GetOrAdd(typeof(T), _ => BuildPipeline<T>());
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            return await pipeline.ExecuteAsync(
                static async (ctx, state) =>
                {
                    var (api, operation, call, callerToken) = state;
                    var hedged = ctx.Properties.GetValue(HedgedEndpoint, -1);
                    var index = hedged >= 0 ? hedged : Volatile.Read(ref api._current);
                    SwarmEdgeMetrics.DockerApiRequests.WithLabels(operation).Inc();
                    try
                    {
                        var result = await call(api._clients[index].Client, ctx.CancellationToken);
                        if (hedged >= 0)
                        {
                            api.SwitchTo(index, "answered first");
                        }

                        return result;
                    }
                    catch (Exception ex) when (IsTransient(ex) && !callerToken.IsCancellationRequested)
                    {
                        // Also the attempt hedging cancels because another one answered first: when that is the
                        // current endpoint, the other attempt already made its endpoint current and this is a no-op.
                        api.FailOver(index, ex);
                        throw;
                    }
                },
                context,
                (this, operation, call, cancellationToken));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private ResiliencePipeline<T> BuildPipeline<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] T>()
    {
        var builder = new ResiliencePipelineBuilder<T>()
            .AddRetry(new RetryStrategyOptions<T>
            {
                ShouldHandle = new PredicateBuilder<T>().Handle<Exception>(IsTransient),
                // Every endpoint gets at least one try before a read is given up on.
                MaxRetryAttempts = Math.Max(2, _clients.Length),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(100),
                MaxDelay = _maxRetryDelay,
                OnRetry = args =>
                {
                    // A retry starts again from the current endpoint.
                    args.Context.Properties.Set(HedgedEndpoint, -1);
                    Log.Retrying(_logger, args.AttemptNumber + 1, Describe(args.Outcome.Exception));
                    return ValueTask.CompletedTask;
                },
            });

        if (_clients.Length > 1)
        {
            builder.AddHedging(new HedgingStrategyOptions<T>
            {
                ShouldHandle = new PredicateBuilder<T>().Handle<Exception>(IsTransient),
                MaxHedgedAttempts = _clients.Length - 1,
                Delay = _docker.HedgeAfter,
                ActionGenerator = args =>
                {
                    // Attempt 1 goes to the endpoint after the current one, attempt 2 to the one after that...
                    var index = (Volatile.Read(ref _current) + args.AttemptNumber) % _clients.Length;
                    args.ActionContext.Properties.Set(HedgedEndpoint, index);
                    return () => args.Callback(args.ActionContext);
                },
            });
        }

        // Innermost: every attempt, hedged or not, has its own time budget.
        return builder.AddTimeout(_docker.RequestTimeout).Build();
    }

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
            SignalEndpointChanged();
        }
    }

    /// <summary>A hedged attempt answered before the current endpoint did: its endpoint becomes the current one.</summary>
    private void SwitchTo(int index, string why)
    {
        var previous = Interlocked.Exchange(ref _current, index);
        if (previous != index)
        {
            Log.FailingOver(_logger, _clients[previous].Endpoint, $"another endpoint {why}", _clients[index].Endpoint);
            SignalEndpointChanged();
        }
    }

    private void SignalEndpointChanged()
    {
        // Not disposed: a watcher may be reading this source's Token right now, and a source with no timer
        // and no linked parents holds nothing the collector does not free.
        Interlocked.Exchange(ref _endpointChanged, new CancellationTokenSource()).Cancel();
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
