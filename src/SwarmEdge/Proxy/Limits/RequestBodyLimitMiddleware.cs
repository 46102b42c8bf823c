using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Configuration;

namespace SwarmEdge.Proxy.Limits;

/// <summary>
/// Applies a route's max-body-size (swarmedge.http.max-body-size or its router's, in route metadata) to the request,
/// and answers 413 before anything is forwarded when the declared Content-Length is over the limit. A chunked
/// body that grows past it is cut by Kestrel while it streams (YARP answers 413 if the response has not started).
/// </summary>
internal sealed class RequestBodyLimitMiddleware(RequestDelegate next)
{
    /// <summary>Route metadata: the service's largest request body in bytes.</summary>
    public const string MaxBodySizeMetadataKey = "swarmedge.max-body-size";

    private readonly ConditionalWeakTable<RouteConfig, StrongBox<long?>> _limits = new();

    public Task InvokeAsync(HttpContext context)
    {
        var feature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is null)
        {
            return next(context);
        }

        var route = context.GetReverseProxyFeature().Route.Config;
        var limit = _limits.GetValue(route, Parse).Value;
        if (context.Request.ContentLength > (limit ?? feature.MaxRequestBodySize))
        {
            // Kestrel's own limit stays for reading the unread body after the answer: the connection stays usable
            // and the client reads the 413 (closing with its body unread resets the connection, and a client still
            // sending loses the answer).
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return Task.CompletedTask;
        }

        if (limit is { } routeLimit && !feature.IsReadOnly)
        {
            feature.MaxRequestBodySize = routeLimit;
        }

        return next(context);
    }

    private static StrongBox<long?> Parse(RouteConfig route) =>
        new(route.Metadata?.TryGetValue(MaxBodySizeMetadataKey, out var value) == true
            && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var limit)
                ? limit
                : null);
}
