using System.Buffers;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
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
/// When every task left refused the connection (a task Swarm reports running before its program listens can be
/// the only one left during a rolling update), the request waits a little and tries the service's tasks again.
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
        var scope = ScopeOf(proxy);
        // A sticky client stays on its task while that task is healthy: a suspicion (one task's silence) is not
        // reason enough to move its session for good. Its retries still avoid the node.
        if (proxy.Cluster?.Config.SessionAffinity?.Enabled != true && _suspects.Any)
        {
            proxy.AvailableDestinations = _suspects.Prefer(proxy.AvailableDestinations, scope, IsHealthy);
        }

        if (policy.Attempts <= 1 || !policy.Methods.Contains(context.Request.Method) || !PrepareBody(context.Request))
        {
            await _next(context);
            return;
        }

        var state = new RetryState();
        context.Features.Set(state);
        var arrived = _time.GetTimestamp();
        var candidates = proxy.AvailableDestinations;
        // The keys of the request's items before its first attempt, in a pooled array: nearly every request is
        // answered at once and never reads them.
        var itemCount = context.Items.Count;
        object[] itemKeys = [];
        if (itemCount > 0)
        {
            itemKeys = ArrayPool<object>.Shared.Rent(itemCount);
            context.Items.Keys.CopyTo(itemKeys, 0);
        }

        try
        {
            // What the next attempts need is built once one failed. No cancellation token for the waits: a client
            // that went away is seen by ShouldRetry, and the request ends as YARP ended it instead of with an
            // exception thrown here.
            Attempts? attempts = null;
            await _next(context);
            while (ShouldRetry(context, state))
            {
                attempts ??= new Attempts(policy, scope, candidates, arrived, new ArraySegment<object>(itemKeys, 0, itemCount));
                if (proxy.ProxiedDestination is { } destination)
                {
                    attempts.Tried.Add(destination);
                }

                if (NextAttempt(context, proxy, attempts, state) is not { } delay)
                {
                    return;
                }

                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, _time);
                }

                StartRetry(context, proxy, attempts);
                await _next(context);
            }
        }
        finally
        {
            if (itemCount > 0)
            {
                ArrayPool<object>.Shared.Return(itemKeys, clearArray: true);
            }
        }
    }

    /// <summary>
    /// After a failed attempt: the delay before the next one (zero: another task at once), or null when there
    /// is none. A next attempt goes to a task this round has not tried; when every task left refused the
    /// connection, a new round tries the service's tasks again after a short wait (RetryOptions.RefusedWait).
    /// </summary>
    private TimeSpan? NextAttempt(HttpContext context, IReverseProxyFeature proxy, Attempts attempts, RetryState state)
    {
        if (_time.GetElapsedTime(attempts.Arrived) > _defaults.Budget)
        {
            return null;
        }

        var error = context.Features.Get<IForwarderErrorFeature>();
        var untried = Untried(attempts.Candidates, attempts.Tried, attempts.Scope);
        TimeSpan delay;
        if (untried.Count > 0)
        {
            if (attempts.Tried.Count >= attempts.Policy.Attempts)
            {
                return null;
            }

            delay = TimeSpan.Zero;
            proxy.AvailableDestinations = untried;
        }
        else
        {
            delay = RefusedBackoff.Next(attempts.LastWait);
            if (!TransportFailures.Refused(error) || attempts.Waited + delay > _defaults.RefusedWait)
            {
                return null;
            }

            attempts.Wait(delay);
        }

        var failed = proxy.ProxiedDestination?.DestinationId ?? "?";
        var message = error?.Exception?.Message ?? error?.Error.ToString() ?? "";
        if (delay == TimeSpan.Zero)
        {
            Log.Retrying(_logger, proxy.Route.Config.RouteId, failed, message);
        }
        else
        {
            Log.WaitingForRefusedTasks(_logger, proxy.Route.Config.RouteId, attempts.Tried.Count, delay.TotalMilliseconds);
        }

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

        return delay;
    }

    /// <summary>
    /// What the next attempt starts from: none of the items the failed one added (YARP's session affinity
    /// remembers the task the cookie named there, and a retry elsewhere must not keep the dead task's cookie),
    /// and after a wait the service's tasks as they are now (a task that refused may have started listening,
    /// a new one may have arrived).
    /// </summary>
    private void StartRetry(HttpContext context, IReverseProxyFeature proxy, Attempts attempts)
    {
        foreach (var key in context.Items.Keys.Where(k => !attempts.ItemsBefore.Contains(k)).ToList())
        {
            context.Items.Remove(key);
        }

        if (attempts.Tried.Count == 0)
        {
            attempts.Candidates = _suspects.Prefer(proxy.Route.Cluster?.DestinationsState.AvailableDestinations ?? [], attempts.Scope, IsHealthy);
            proxy.AvailableDestinations = attempts.Candidates;
        }
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

    /// <summary>One retryable request's attempts: a round tries each candidate task at most once.</summary>
    private sealed class Attempts(RetryPolicy policy, string scope, IReadOnlyList<DestinationState> candidates, long arrived, ArraySegment<object> itemsBefore)
    {
        public RetryPolicy Policy { get; } = policy;

        public string Scope { get; } = scope;

        public long Arrived { get; } = arrived;

        /// <summary>What the request carried before its first attempt.</summary>
        public ArraySegment<object> ItemsBefore { get; } = itemsBefore;

        /// <summary>This round's tasks: the request's when it arrived, then the service's after each wait.</summary>
        public IReadOnlyList<DestinationState> Candidates { get; set; } = candidates;

        public HashSet<DestinationState> Tried { get; } = [];

        public TimeSpan Waited { get; private set; }

        public TimeSpan LastWait { get; private set; }

        /// <summary>Every task of the round refused: a new round starts after the delay.</summary>
        public void Wait(TimeSpan delay)
        {
            Waited += delay;
            LastWait = delay;
            Tried.Clear();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 320, Level = LogLevel.Information,
            Message = "Route {Route}: retrying on another task after task {Task} failed: {Error}")]
        public static partial void Retrying(ILogger logger, string route, string task, string error);

        [LoggerMessage(EventId = 321, Level = LogLevel.Information,
            Message = "Route {Route}: the {Tasks} task(s) left refused the connection; trying the service's tasks again in {DelayMs} ms")]
        public static partial void WaitingForRefusedTasks(ILogger logger, string route, int tasks, double delayMs);
    }
}
