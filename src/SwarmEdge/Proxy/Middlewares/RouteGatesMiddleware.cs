using System.Runtime.CompilerServices;
using System.Text.Json;
using SwarmEdge.Catalog;
using Yarp.ReverseProxy.Configuration;

namespace SwarmEdge.Proxy.Middlewares;

/// <summary>
/// Runs a route's gate middlewares (ip-allow, basic-auth, forward-auth, redirect-regex, in-flight, rate-limit, compress, cors) in the order its chain names
/// them, before anything is forwarded. The definitions travel in the route's metadata (GatesKey, JSON), so a route
/// and its gates change together in one YARP update: no request meets a route without its gates. Compiled once per
/// route config: YARP keeps the same RouteConfig while a route is unchanged, so in-flight counts, rate buckets and the
/// users files' caches live as long as the route does.
/// </summary>
internal sealed partial class RouteGatesMiddleware(RequestDelegate next, Gates gates, ILogger<RouteGatesMiddleware> logger)
{
    public const string GatesKey = "swarmedge.gates";

    private readonly ConditionalWeakTable<RouteConfig, RequestDelegate> _chains = new();

    public static string Serialize(IEnumerable<Middleware> gates) => JsonSerializer.Serialize(gates.ToArray(), SwarmEdgeJsonContext.Default.MiddlewareArray);

    public Task InvokeAsync(HttpContext context)
    {
        var route = context.GetReverseProxyFeature().Route.Config;
        if (route.Metadata?.ContainsKey(GatesKey) != true)
        {
            return next(context);
        }

        // TryGetValue first: GetValue with a method group would allocate a delegate on every request.
        return _chains.TryGetValue(route, out var chain) ? chain(context) : _chains.GetValue(route, Compile)(context);
    }

    private RequestDelegate Compile(RouteConfig route)
    {
        Middleware[] declared;
        try
        {
            declared = JsonSerializer.Deserialize(route.Metadata![GatesKey], SwarmEdgeJsonContext.Default.MiddlewareArray) ?? [];
        }
        catch (JsonException ex)
        {
            // Built by ProxyConfigBuilder from what the catalog checked: unreadable means a bug, and the route's
            // requests are refused rather than served without their gates.
            Log.Unreadable(logger, route.RouteId, ex.Message);
            return static context =>
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                return Task.CompletedTask;
            };
        }

        var chain = next;
        foreach (var gate in declared.Reverse())
        {
            chain = gates.Build(gate, chain);
        }

        return chain;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1100, Level = LogLevel.Error, Message = "Route {Route}: its middlewares cannot be read ({Error}); its requests are refused")]
        public static partial void Unreadable(ILogger logger, string route, string error);
    }
}
