using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using SwarmEdge.Admin;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace SwarmEdge.Proxy;

/// <summary>
/// Retries a request on another task when the forward failed before any response byte for a transport
/// reason (refused, connect timeout, reset or closed early): a task that just crashed or a node that just
/// vanished then costs the client nothing. Sits in YARP's proxy pipeline before load balancing, so each
/// attempt picks a task among those not tried yet.
///
/// A request still waiting for its response when its task leaves the rotation is aborted (PendingResponses)
/// and retried the same way: on a lost node it would otherwise hang.
///
/// Only methods the route allows (GET, HEAD, OPTIONS by default); never once the response has started;
/// a request body is sent again only when it was small enough to buffer. Bounded by attempts and by a time
/// budget from the request's arrival.
/// </summary>
internal sealed partial class RetryMiddleware
{
    public const string AttemptsMetadataKey = "swarmedge.retry.attempts";
    public const string MethodsMetadataKey = "swarmedge.retry.methods";

    private readonly RequestDelegate _next;
    private readonly TimeProvider _time;
    private readonly RetryOptions _defaults;
    private readonly ILogger<RetryMiddleware> _logger;
    private readonly SuspectNodes _suspects;
    private readonly ConditionalWeakTable<RouteConfig, RetryPolicy> _policies = new();
    private readonly ConcurrentDictionary<int, ResiliencePipeline<bool>> _pipelines = new();

    public RetryMiddleware(RequestDelegate next, IOptions<SwarmEdgeOptions> options, SuspectNodes suspects, TimeProvider time, ILogger<RetryMiddleware> logger)
    {
        _suspects = suspects;
        _next = next;
        _time = time;
        _defaults = options.Value.Proxy.Retry;
        _logger = logger;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var proxy = context.GetReverseProxyFeature();
        var policy = _policies.GetValue(proxy.Route.Config, CreatePolicy);
        var candidates = proxy.AvailableDestinations;
        // A sticky client stays on its task while that task is healthy: a suspicion (one task's silence) is not
        // reason enough to move its session for good. Its retries still avoid the node.
        if (proxy.Cluster?.Config.SessionAffinity?.Enabled != true && _suspects.Any)
        {
            proxy.AvailableDestinations = _suspects.Prefer(candidates, ScopeOf(proxy), IsHealthy);
        }

        if (policy.Attempts <= 1 || !policy.Methods.Contains(context.Request.Method) || !PrepareBody(context.Request))
        {
            await _next(context);
            return;
        }

        var arrived = _time.GetTimestamp();
        var state = new RetryState();
        context.Features.Set(state);
        var tried = new HashSet<DestinationState>();
        // What the request carried before its first attempt: an attempt's own items (YARP's session affinity
        // remembers the task the cookie named there) must not outlive it, or a retry elsewhere keeps the dead
        // task's cookie and the client is moved once more on its next request.
        var itemsBefore = context.Items.Count == 0 ? null : context.Items.Keys.ToArray();
        var pipeline = _pipelines.GetOrAdd(policy.Attempts - 1, static retries => new ResiliencePipelineBuilder<bool>()
            .AddRetry(new RetryStrategyOptions<bool>
            {
                // The outcome is "this attempt failed in a retryable way"; the next attempt goes to another task
                // at once, there is nothing to wait for.
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Result),
                MaxRetryAttempts = retries,
                Delay = TimeSpan.Zero,
                BackoffType = DelayBackoffType.Constant,
            })
            .Build());

        // No cancellation token: a client that went away is seen by ShouldRetry, and the request ends as YARP
        // ended it instead of with an exception thrown here.
        await pipeline.ExecuteAsync(async _ =>
        {
            if (tried.Count > 0 && !PrepareRetry(context, proxy, candidates, tried, arrived, state))
            {
                return false;
            }

            if (tried.Count > 0)
            {
                foreach (var key in context.Items.Keys.Where(k => itemsBefore is null || !itemsBefore.Contains(k)).ToList())
                {
                    context.Items.Remove(key);
                }
            }

            await _next(context);
            if (proxy.ProxiedDestination is { } destination)
            {
                tried.Add(destination);
            }

            return ShouldRetry(context, state);
        }, CancellationToken.None);
    }

    /// <summary>Makes the request ready to be sent again, to a task not tried yet; false when there is none or no time left.</summary>
    private bool PrepareRetry(
        HttpContext context,
        IReverseProxyFeature proxy,
        IReadOnlyList<DestinationState> candidates,
        HashSet<DestinationState> tried,
        long arrived,
        RetryState state)
    {
        var remaining = Untried(candidates, tried, ScopeOf(proxy));
        if (remaining.Count == 0 || _time.GetElapsedTime(arrived) > _defaults.Budget)
        {
            return false;
        }

        var failed = proxy.ProxiedDestination?.DestinationId ?? "?";
        var error = context.Features.Get<IForwarderErrorFeature>();
        var message = error?.Exception?.Message ?? error?.Error.ToString() ?? "";
        Log.Retrying(_logger, proxy.Route.Config.RouteId, failed, message);
        Tracing.Recorded?.AddEvent(new System.Diagnostics.ActivityEvent("swarmedge.retry", tags: new System.Diagnostics.ActivityTagsCollection
        {
            [Tracing.Task] = failed,
            ["error"] = message,
        }));
        SwarmEdgeMetrics.Retries.WithLabels(proxy.Route.Config.RouteId).Inc();

        context.Features.Set<IForwarderErrorFeature>(null);
        state.NextAttempt();
        context.Response.Clear();
        if (context.Request.Body.CanSeek)
        {
            context.Request.Body.Position = 0;
        }

        proxy.AvailableDestinations = remaining;
        return true;
    }

    /// <summary>
    /// The tasks not tried yet, those still healthy and on nodes not suspected first: the list was taken when the
    /// request arrived, and since then passive health, the stall detector or SuspectNodes may have taken some out
    /// (on a lost node, all at once).
    /// </summary>
    private IReadOnlyList<DestinationState> Untried(IReadOnlyList<DestinationState> candidates, HashSet<DestinationState> tried, string scope) =>
        _suspects.Prefer([.. candidates.Where(d => !tried.Contains(d))], scope, IsHealthy);

    /// <summary>Whose suspicions count for this request: its cluster's (SuspectNodes).</summary>
    private static string ScopeOf(IReverseProxyFeature proxy) => proxy.Route.Cluster?.ClusterId ?? "";

    private static bool IsHealthy(DestinationState d) =>
        d.Health.Passive != DestinationHealth.Unhealthy && d.Health.Active != DestinationHealth.Unhealthy;

    private static bool ShouldRetry(HttpContext context, RetryState state)
    {
        if (context.Response.HasStarted || context.RequestAborted.IsCancellationRequested)
        {
            return false;
        }

        var error = context.Features.Get<IForwarderErrorFeature>();
        // An attempt we aborted (its task left or stalled) is one YARP saw cancelled by the token we forwarded it
        // with: the client is still there.
        return TransportFailures.FailedBeforeResponse(error)
            || (state.AttemptAborted && error?.Error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled);
    }

    /// <summary>True when the request can be sent again: no body, or a small one now buffered in memory.</summary>
    private bool PrepareBody(HttpRequest request)
    {
        var canHaveBody = request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? true;
        if (!canHaveBody)
        {
            return true;
        }

        if (request.ContentLength is not { } length || length > _defaults.MaxBufferedBodyBytes)
        {
            return false;
        }

        request.EnableBuffering(bufferThreshold: _defaults.MaxBufferedBodyBytes, bufferLimit: _defaults.MaxBufferedBodyBytes);
        return true;
    }

    private RetryPolicy CreatePolicy(RouteConfig route)
    {
        var metadata = route.Metadata;
        var attempts = metadata?.TryGetValue(AttemptsMetadataKey, out var a) == true && int.TryParse(a, out var n) ? n : _defaults.Attempts;
        var methods = metadata?.TryGetValue(MethodsMetadataKey, out var m) == true
            ? m.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : _defaults.Methods.ToArray();
        return new RetryPolicy(attempts, new HashSet<string>(methods, StringComparer.OrdinalIgnoreCase));
    }

    private sealed record RetryPolicy(int Attempts, HashSet<string> Methods);

    private static partial class Log
    {

        [LoggerMessage(EventId = 320, Level = LogLevel.Information,
            Message = "Route {Route}: retrying on another task after task {Task} failed: {Error}")]
        public static partial void Retrying(ILogger logger, string route, string task, string error);
    }
}
