namespace SwarmEdge.Shutdown;

/// <summary>
/// While SwarmEdge drains, every HTTP/1.x response closes its connection, so keep-alive clients open their next
/// one elsewhere (to the edge node the floating IP moved to) instead of finding this one gone.
/// </summary>
internal sealed class DrainingMiddleware(RequestDelegate next, ShutdownGrace shutdown)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (shutdown.IsDraining && !HttpProtocol.IsHttp2(context.Request.Protocol) && !HttpProtocol.IsHttp3(context.Request.Protocol))
        {
            context.Response.Headers.Connection = "close";
        }

        return next(context);
    }
}
