using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using SwarmEdge.Catalog;
using Yarp.ReverseProxy.Configuration;

namespace SwarmEdge.Proxy;

/// <summary>
/// First in YARP's pipeline: a route's scheme, HTTPS redirect and HSTS (swarmedge.http.scheme, .https-redirect,
/// .hsts; defaults SwarmEdge:Https:RedirectHttp and :HstsMaxAge). On plain HTTP, a route that serves HTTPS
/// redirects there when asked to (301 for GET and HEAD, 308 for other methods, which keeps the method and the
/// body), and an HTTPS-only route answers 404; on HTTPS an HTTP-only route answers 404, and HSTS is added.
/// Without an HTTPS entrypoint every route serves HTTP and nothing is redirected.
/// </summary>
internal sealed class RouteSchemeMiddleware(RequestDelegate next, IOptions<SwarmEdgeOptions> options)
{
    public const string SchemeKey = "swarmedge.scheme";
    public const string RedirectKey = "swarmedge.https-redirect";
    public const string HstsKey = "swarmedge.hsts-seconds";

    private readonly HttpsOptions _https = options.Value.Https;
    private readonly ConditionalWeakTable<RouteConfig, Policy> _policies = new();

    public Task InvokeAsync(HttpContext context)
    {
        if (!_https.Enabled)
        {
            return next(context);
        }

        var policy = _policies.GetValue(context.GetReverseProxyFeature().Route.Config, Read);
        if (!context.Request.IsHttps)
        {
            if (policy.Scheme != RouteScheme.Http && policy.Redirect)
            {
                Redirect(context);
                return Task.CompletedTask;
            }

            if (policy.Scheme == RouteScheme.Https)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            return next(context);
        }

        if (policy.Scheme == RouteScheme.Http)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        if (policy.HstsHeader is { } hsts)
        {
            context.Response.OnStarting(static state =>
            {
                var (response, header) = ((HttpResponse, string))state;
                response.Headers.StrictTransportSecurity = header;
                return Task.CompletedTask;
            }, (context.Response, hsts));
        }

        return next(context);
    }

    private void Redirect(HttpContext context)
    {
        var request = context.Request;
        var port = _https.RedirectPort == 443 ? "" : ":" + _https.RedirectPort.ToString(CultureInfo.InvariantCulture);
        context.Response.StatusCode = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)
            ? StatusCodes.Status301MovedPermanently
            : StatusCodes.Status308PermanentRedirect;
        context.Response.Headers.Location = $"https://{request.Host.Host}{port}{request.PathBase}{request.Path}{request.QueryString}";
    }

    private Policy Read(RouteConfig route)
    {
        var metadata = route.Metadata;
        var scheme = metadata?.TryGetValue(SchemeKey, out var s) == true && Enum.TryParse<RouteScheme>(s, out var parsed) ? parsed : RouteScheme.Both;
        var redirect = metadata?.TryGetValue(RedirectKey, out var r) == true ? r == "true" : _https.RedirectHttp;
        var hsts = metadata?.TryGetValue(HstsKey, out var h) == true && long.TryParse(h, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : _https.HstsMaxAge;
        return new Policy(scheme, redirect, hsts > TimeSpan.Zero ? $"max-age={(long)hsts.TotalSeconds}" : null);
    }

    private sealed record Policy(RouteScheme Scheme, bool Redirect, string? HstsHeader);
}
