using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace SwarmEdge.Proxy;

/// <summary>
/// Wraps YARP's forwarder: a retryable request (the retry middleware gave it a RetryState) is registered as
/// waiting for its task's response for the length of the forward (see PendingResponses), and forwarded with
/// the attempt's cancellation token. YARP links that token with the client's own: when we abort the attempt,
/// YARP reports RequestCanceled with a 502, the client's connection untouched, and the retry middleware sends
/// the request to another task. While access logs are on it also times the forward (UpstreamTime). A route's
/// swarmedge.http.timeout becomes YARP's activity timeout for its requests (504 when the task sends nothing for
/// that long), which YARP otherwise takes from the cluster, shared by every route to the service's port.
/// </summary>
internal sealed class PendingResponseForwarder(IHttpForwarder forwarder, PendingResponses pending) : IHttpForwarder
{
    /// <summary>Route metadata: the route's response timeout in milliseconds.</summary>
    public const string ResponseTimeoutKey = "swarmedge.response-timeout-ms";

    public ValueTask<ForwarderError> SendAsync(
        HttpContext context, string destinationPrefix, HttpMessageInvoker httpClient, ForwarderRequestConfig requestConfig, HttpTransformer transformer) =>
        SendAsync(context, destinationPrefix, httpClient, requestConfig, transformer, CancellationToken.None);

    public ValueTask<ForwarderError> SendAsync(
        HttpContext context,
        string destinationPrefix,
        HttpMessageInvoker httpClient,
        ForwarderRequestConfig requestConfig,
        HttpTransformer transformer,
        CancellationToken cancellationToken)
    {
        var proxy = context.Features.Get<IReverseProxyFeature>();
        if (proxy?.Route.Config.Metadata?.TryGetValue(ResponseTimeoutKey, out var timeout) == true
            && long.TryParse(timeout, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var milliseconds))
        {
            requestConfig = requestConfig with { ActivityTimeout = TimeSpan.FromMilliseconds(milliseconds) };
        }

        Tag(Tracing.Recorded, proxy);
        // Each async step is one more allocation per request: the forward is awaited only where something happens after it.
        return context.Features.Get<AccessLogs.UpstreamTime>() is { } upstream
            ? TimedAsync(upstream, context, proxy, destinationPrefix, httpClient, requestConfig, transformer, cancellationToken)
            : ForwardAsync(context, proxy, destinationPrefix, httpClient, requestConfig, transformer, cancellationToken);
    }

    private async ValueTask<ForwarderError> TimedAsync(
        AccessLogs.UpstreamTime upstream,
        HttpContext context,
        IReverseProxyFeature? proxy,
        string destinationPrefix,
        HttpMessageInvoker httpClient,
        ForwarderRequestConfig requestConfig,
        HttpTransformer transformer,
        CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            return await ForwardAsync(context, proxy, destinationPrefix, httpClient, requestConfig, transformer, cancellationToken);
        }
        finally
        {
            upstream.Add(started);
        }
    }

    private ValueTask<ForwarderError> ForwardAsync(
        HttpContext context,
        IReverseProxyFeature? proxy,
        string destinationPrefix,
        HttpMessageInvoker httpClient,
        ForwarderRequestConfig requestConfig,
        HttpTransformer transformer,
        CancellationToken cancellationToken) =>
        context.Features.Get<RetryState>() is { } state && proxy?.ProxiedDestination is { } destination
            ? PendingAsync(context, proxy, destination, state, destinationPrefix, httpClient, requestConfig, transformer, cancellationToken)
            : forwarder.SendAsync(context, destinationPrefix, httpClient, requestConfig, transformer, cancellationToken);

    /// <summary>A retryable request's forward, registered as waiting for its task's response while it lasts.</summary>
    private async ValueTask<ForwarderError> PendingAsync(
        HttpContext context,
        IReverseProxyFeature proxy,
        DestinationState destination,
        RetryState state,
        string destinationPrefix,
        HttpMessageInvoker httpClient,
        ForwarderRequestConfig requestConfig,
        HttpTransformer transformer,
        CancellationToken cancellationToken)
    {
        var attempt = pending.Begin(destination.DestinationId, proxy.Cluster.Config.ClusterId, destinationPrefix, state, cancellationToken);
        context.Response.OnStarting(static a =>
        {
            ((PendingResponses.Attempt)a).Responded();
            return Task.CompletedTask;
        }, attempt);
        var error = ForwarderError.Request;
        try
        {
            error = await forwarder.SendAsync(context, destinationPrefix, httpClient, requestConfig, transformer, attempt.Token);
            return error;
        }
        finally
        {
            PendingResponses.End(attempt, answered: error == ForwarderError.None);
        }
    }

    /// <summary>The route, service and task of this attempt on the request's span (the last attempt's task stays).</summary>
    private static void Tag(System.Diagnostics.Activity? span, IReverseProxyFeature? proxy)
    {
        if (span is null || proxy is null)
        {
            return;
        }

        span.SetTag(Tracing.Route, proxy.Route.Config.RouteId);
        span.SetTag(Tracing.Service, proxy.Cluster?.Config.Metadata?.GetValueOrDefault(ProxyConfigBuilder.ServiceMetadataKey));
        span.SetTag(Tracing.Task, proxy.ProxiedDestination?.DestinationId);
    }
}
