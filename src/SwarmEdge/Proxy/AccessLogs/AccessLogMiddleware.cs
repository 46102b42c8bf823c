using System.Diagnostics;
using Microsoft.Extensions.ObjectPool;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Model;

namespace SwarmEdge.Proxy.AccessLogs;

/// <summary>
/// First in the pipeline while access logs are on (SwarmEdge:AccessLog): times the request, and when it ends and the
/// filter keeps it, formats its line and queues it for the writer. The route, its service, the task that answered and
/// the retries come from YARP's proxy feature and the retry state; the upstream time from the forwarder.
/// </summary>
internal sealed class AccessLogMiddleware(RequestDelegate next, IOptions<SwarmEdgeOptions> options, AccessLogWriter writer)
{
    private readonly AccessLogFilter _filter = AccessLogFilter.From(options.Value.AccessLog).Filter!;
    private readonly bool _json = options.Value.AccessLog.Format.Equals("json", StringComparison.OrdinalIgnoreCase);
    private readonly bool _combined = options.Value.AccessLog.Format.Equals("combined", StringComparison.OrdinalIgnoreCase);
    private readonly ObjectPool<UpstreamTime> _timers = new DefaultObjectPool<UpstreamTime>(new DefaultPooledObjectPolicy<UpstreamTime>(), 1024);

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var time = DateTimeOffset.UtcNow;
        var upstream = _timers.Get();
        upstream.Reset();
        context.Features.Set(upstream);
        try
        {
            await next(context);
        }
        finally
        {
            var duration = Stopwatch.GetElapsedTime(started);
            var retries = context.Features.Get<RetryState>()?.Retries ?? 0;
            var status = context.Response.StatusCode;
            if (_filter.Keeps(status, retries, duration, Random.Shared.NextDouble()))
            {
                var proxy = context.Features.Get<IReverseProxyFeature>();
                var route = proxy?.Route.Config;
                var request = context.Request;
                var line = new AccessLogLine(time, context.Connection.RemoteIpAddress, request.Method, request.Host.Value ?? "", request.PathBase.HasValue ? request.PathBase.Value + request.Path.Value : request.Path.Value ?? "",
                    request.QueryString.Value ?? "", request.Protocol, status, context.Response.ContentLength, duration, upstream.Elapsed, route?.RouteId,
                    route?.Metadata?.GetValueOrDefault(ProxyConfigBuilder.ServiceMetadataKey), proxy?.ProxiedDestination?.DestinationId, retries,
                    request.Headers.UserAgent.Count > 0 ? request.Headers.UserAgent.ToString() : null,
                    request.Headers.Referer.Count > 0 ? request.Headers.Referer.ToString() : null);
                writer.Write(_json ? AccessLogFormat.Json(line) : AccessLogFormat.Text(line, _combined));
            }

            context.Features.Set<UpstreamTime>(null);
            _timers.Return(upstream);
        }
    }
}
