using Microsoft.Extensions.DependencyInjection.Extensions;
using SwarmEdge.Proxy.Limits;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;

namespace SwarmEdge.Proxy;

internal static class ProxyServiceCollectionExtensions
{
    /// <summary>YARP with an in-memory configuration and SwarmEdge's pieces: connect timeout, passive health, applier.</summary>
    public static IServiceCollection AddSwarmEdgeProxy(this IServiceCollection services)
    {
        services.AddReverseProxy().LoadFromMemory([], []).AddTransformFactory<Middlewares.PathTransformFactory>()
            .AddTransforms<ForwardedHeaderTransforms>();
        services.AddSingleton<Middlewares.HtpasswdFiles>();
        services.AddSingleton<Middlewares.ForwardAuthClient>();
        services.AddSingleton<Middlewares.Gates>();
        services.AddSingleton<IForwarderHttpClientFactory, SwarmEdgeHttpClientFactory>();
        services.AddSingleton<IPassiveHealthCheckPolicy, TransportFailurePolicy>();
        services.AddSingleton<ProxyConfigApplier>();
        services.AddSingleton<PendingResponses>();
        services.AddSingleton<SuspectNodes>();
        services.TryAddSingleton<Admin.EdgeStatus>();
        services.TryAddSingleton(TimeProvider.System);
        // YARP's forwarder, wrapped: its public overload with a cancellation token is how a retryable attempt
        // is aborted when its task leaves or stalls (see PendingResponseForwarder).
        var forwarder = services.Last(d => d.ServiceType == typeof(IHttpForwarder)).ImplementationType
            ?? throw new InvalidOperationException("YARP registers its forwarder by type");
        services.Replace(ServiceDescriptor.Singleton<IHttpForwarder>(provider => new PendingResponseForwarder(
            (IHttpForwarder)ActivatorUtilities.CreateInstance(provider, forwarder), provider.GetRequiredService<PendingResponses>())));
        services.AddHostedService<StallDetector>();
        services.AddSingleton<Tcp.TcpRouteTable>();
        services.AddSingleton<Tcp.TcpConnections>();
        services.AddSingleton<Tcp.TcpRouteApplier>();
        // Routes of services with swarmedge.http.rate-limit name its policy: YARP refuses them without it.
        services.AddSwarmEdgeRateLimits();
        return services;
    }

    /// <summary>The key UseAuthorization sets on the application builder (ASP.NET Core keeps its constant internal).</summary>
    internal const string AuthorizationMiddlewareSetKey = "__AuthorizationMiddlewareSet";

    /// <summary>
    /// YARP's routes, through SwarmEdge's proxy pipeline. YARP registers ASP.NET Core authorization for routes with
    /// an AuthorizationPolicy, which SwarmEdge never sets (its gates authorize), and WebApplication then adds the
    /// authorization middleware in front of every request: an async step and a new Items dictionary each time.
    /// Marked as added, it is left out; a route that did carry a policy is refused by the endpoint middleware
    /// (500), never served without it.
    /// </summary>
    public static void MapSwarmEdgeProxy(this WebApplication app)
    {
        ((IApplicationBuilder)app).Properties[AuthorizationMiddlewareSetKey] = true;
        app.MapReverseProxy(pipeline => pipeline.UseSwarmEdgeProxyPipeline());
    }

    /// <summary>YARP's proxy pipeline with retries first, so every attempt load-balances again among untried tasks.</summary>
    private static void UseSwarmEdgeProxyPipeline(this IReverseProxyApplicationBuilder pipeline)
    {
        pipeline.UseMiddleware<RouteSchemeMiddleware>();
        pipeline.UseMiddleware<Middlewares.RouteGatesMiddleware>();
        pipeline.UseMiddleware<Limits.RequestBodyLimitMiddleware>();
        pipeline.UseMiddleware<RetryMiddleware>();
        pipeline.UseSessionAffinity();
        pipeline.UseLoadBalancing();
        pipeline.UsePassiveHealthChecks();
    }
}
