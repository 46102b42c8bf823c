using System.Diagnostics;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace SwarmEdge.Proxy;

/// <summary>
/// SwarmEdge:Tracing: a span per proxied request (ASP.NET Core's), a client span per attempt to a task (HttpClient's,
/// which also sends the task W3C traceparent), the route, service and task on the request's span and each retry as
/// an event on it; sampled, exported over OTLP. Off (the default), no listener exists: ASP.NET Core creates no
/// activity, and what the proxy adds below costs one null check. A client's traceparent is continued (its trace ID
/// and parent), but whether the request is recorded is the edge's ratio.
/// </summary>
internal static class Tracing
{
    public const string Route = "swarmedge.route";
    public const string Service = "swarmedge.service";
    public const string Task = "swarmedge.task";

    public static void AddSwarmEdgeTracing(this IServiceCollection services, TracingOptions tracing, AdminOptions admin)
    {
        if (!tracing.Enabled)
        {
            return;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(tracing.ServiceName))
            .WithTracing(builder => builder
                // The edge decides what is kept, at its ratio, also for a request that brings a traceparent: a client's
                // sampled flag would otherwise record (and export) every request it sends, and its unsampled flag hide them.
                .SetSampler(Sampler(tracing.SampleRatio))
                // The proxy's requests only: not the admin API's (the dashboard reads it every second).
                .AddAspNetCoreInstrumentation(o =>
                {
                    o.Filter = context => context.Connection.LocalPort != admin.Port && context.Connection.LocalPort != admin.ProbePort;
                    // Named after the route, not after ASP.NET's catch-all template that every proxied request shares.
                    o.EnrichWithHttpResponse = (span, response) =>
                    {
                        if (span.GetTagItem(Route) is string route)
                        {
                            span.DisplayName = $"{response.HttpContext.Request.Method} {route}";
                        }
                    };
                })
                // Attempts to tasks and forward-auth calls, inside a request; not the Docker API reads in the background.
                .AddHttpClientInstrumentation(o => o.FilterHttpRequestMessage = _ => Activity.Current is not null)
                .AddOtlpExporter(o =>
                {
                    o.Protocol = tracing.Protocol == "grpc" ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
                    o.Endpoint = new Uri(tracing.Protocol == "grpc" ? tracing.Endpoint : tracing.Endpoint.TrimEnd('/') + "/v1/traces");
                }));
    }

    internal static Sampler Sampler(double ratio)
    {
        var byRatio = new TraceIdRatioBasedSampler(ratio);
        return new ParentBasedSampler(byRatio, remoteParentSampled: byRatio, remoteParentNotSampled: byRatio);
    }

    /// <summary>The request's span, when one is being recorded.</summary>
    public static Activity? Recorded => Activity.Current is { IsAllDataRequested: true } activity ? activity : null;
}
