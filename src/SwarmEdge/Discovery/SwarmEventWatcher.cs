using System.Globalization;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using SwarmEdge.Admin;

namespace SwarmEdge.Discovery;

/// <summary>
/// Follows the Docker event stream (service, node and container events) and turns events into discovery
/// signals. When the stream drops it reconnects with since= the last event seen, with backoff while the
/// API is unreachable, and asks for a full read, since what happened in between is not known for sure. What the
/// dashboard shows of the events goes to the event log.
/// </summary>
internal sealed partial class SwarmEventWatcher(
    DockerApi api,
    DiscoverySignals signals,
    SwarmEventLog eventLog,
    IOptions<SwarmEdgeOptions> options,
    TimeProvider time,
    ILogger<SwarmEventWatcher> logger) : BackgroundService
{
    // A stream that ends sooner than this after opening is treated as a failure, so a daemon that accepts
    // and closes at once is retried with backoff rather than in a tight loop.
    private static readonly TimeSpan MinimumHealthyStream = TimeSpan.FromSeconds(1);

    private string? _since;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reconnect = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException || !stoppingToken.IsCancellationRequested),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = options.Value.Discovery.MaxRetryDelay,
                OnRetry = args =>
                {
                    SwarmEdgeMetrics.DiscoveryErrors.WithLabels("events").Inc();
                    Log.StreamFailed(logger, api.CurrentEndpoint, DockerApi.Describe(args.Outcome.Exception), args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();

        var first = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await reconnect.ExecuteAsync(async ct =>
                {
                    if (!first)
                    {
                        SwarmEdgeMetrics.EventStreamReconnects.Inc();
                    }

                    first = false;
                    await WatchOnceAsync(ct);
                }, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task WatchOnceAsync(CancellationToken ct)
    {
        var parameters = new ContainerEventsParameters
        {
            Since = _since,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["type"] = new Dictionary<string, bool> { ["service"] = true, ["node"] = true, ["container"] = true },
            },
        };

        var openedAt = time.GetUtcNow();
        var endpoint = api.CurrentEndpoint;
        Log.StreamOpening(logger, endpoint, _since ?? "now");

        // The stream may have missed events (or this is the first connection): look at everything once.
        signals.Send(new DiscoverySignal(DiscoverySignalKind.FullRead, null, "event stream opened"));
        using var streamScope = CancellationTokenSource.CreateLinkedTokenSource(ct, api.EndpointChanged);
        try
        {
            await api.StreamAsync("events",
                (client, token) => client.System.MonitorEventsAsync(parameters, new SynchronousProgress(OnEvent), token), streamScope.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Log.FollowingFailover(logger, endpoint, api.CurrentEndpoint);
            return;
        }

        if (time.GetUtcNow() - openedAt < MinimumHealthyStream)
        {
            throw new IOException("the Docker event stream closed right after it opened");
        }

        Log.StreamEnded(logger, endpoint);
    }

    private void OnEvent(Message message)
    {
        if (message.TimeNano is { } nanos and > 0)
        {
            // since= takes "seconds.nanoseconds"; reconnecting replays from the last event seen.
            _since = $"{nanos / 1_000_000_000}.{nanos % 1_000_000_000:D9}";
        }
        else if (message.Time is { } seconds and > 0)
        {
            _since = seconds.ToString(CultureInfo.InvariantCulture);
        }

        if (SwarmEventEntry.From(message) is { } entry)
        {
            eventLog.Add(entry);
        }

        if (SwarmEventInterpreter.Interpret(message) is { } signal)
        {
            Log.Event(logger, signal.Reason);
            signals.Send(signal);
        }
    }

    /// <summary>
    /// Progress&lt;T&gt; posts each report to the thread pool, out of order. Events are handled in stream order
    /// here, on the reading thread; handling is a channel write, so it does not slow the stream.
    /// </summary>
    private sealed class SynchronousProgress(Action<Message> handler) : IProgress<Message>
    {
        public void Report(Message value) => handler(value);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 110, Level = LogLevel.Information, Message = "Watching Docker events on {Endpoint} since {Since}")]
        public static partial void StreamOpening(ILogger logger, string endpoint, string since);

        [LoggerMessage(EventId = 111, Level = LogLevel.Warning, Message = "Docker event stream on {Endpoint} ended; reconnecting")]
        public static partial void StreamEnded(ILogger logger, string endpoint);

        [LoggerMessage(EventId = 112, Level = LogLevel.Warning,
            Message = "Docker event stream on {Endpoint} failed: {Error}; reconnecting in {Delay}")]
        public static partial void StreamFailed(ILogger logger, string endpoint, string error, TimeSpan delay);

        [LoggerMessage(EventId = 114, Level = LogLevel.Warning,
            Message = "Docker API calls moved from {Endpoint} to {Next}: moving the event stream too")]
        public static partial void FollowingFailover(ILogger logger, string endpoint, string next);

        [LoggerMessage(EventId = 113, Level = LogLevel.Debug, Message = "Docker event: {Event}")]
        public static partial void Event(ILogger logger, string @event);
    }
}
