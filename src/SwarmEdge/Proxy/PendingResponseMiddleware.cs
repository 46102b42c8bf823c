using Yarp.ReverseProxy.Model;

namespace SwarmEdge.Proxy;

/// <summary>
/// Runs after load balancing, when the task of this attempt is known: registers a retryable request as
/// waiting for that task's response, with a cancellation token the applier can fire when the task leaves
/// the rotation (see PendingResponses). The forwarder observes HttpContext.RequestAborted, so the attempt's
/// token stands in for it during the attempt.
/// </summary>
internal sealed class PendingResponseMiddleware(RequestDelegate next, PendingResponses pending)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var state = context.Features.Get<RetryState>();
        var proxy = context.GetReverseProxyFeature();
        if (state is null || proxy.AvailableDestinations is not [var destination])
        {
            await next(context);
            return;
        }

        var requestAborted = context.RequestAborted;
        var attempt = pending.Begin(destination.DestinationId, proxy.Cluster.Config.ClusterId, destination.Model.Config.Address, state, requestAborted);
        context.RequestAborted = attempt.Token;
        context.Response.OnStarting(static a =>
        {
            ((PendingResponses.Attempt)a).Responded();
            return Task.CompletedTask;
        }, attempt);
        try
        {
            await next(context);
        }
        finally
        {
            context.RequestAborted = requestAborted;
            PendingResponses.End(attempt);
        }
    }
}
