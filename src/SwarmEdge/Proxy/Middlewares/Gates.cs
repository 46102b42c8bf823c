using System.Net;
using System.Threading.RateLimiting;
using SwarmEdge.Catalog;

namespace SwarmEdge.Proxy.Middlewares;

/// <summary>Each gate middleware as a request delegate in front of the rest of the chain.</summary>
internal static class Gates
{
    public static RequestDelegate Build(Middleware gate, RequestDelegate next, HtpasswdFiles users, ForwardAuthClient forwardAuth) => gate switch
    {
        IpAllowMiddleware allow => IpAllow(allow, next),
        BasicAuthMiddleware auth => BasicAuth(auth, next, users),
        RedirectRegexMiddleware redirect => RedirectRegex(redirect, next),
        InFlightMiddleware inFlight => InFlight(inFlight, next),
        ForwardAuthMiddleware auth => async context =>
        {
            if (await forwardAuth.AuthorizeAsync(auth, context))
            {
                await next(context);
            }
        },
        _ => throw new ArgumentException($"{gate.GetType().Name} is not a gate", nameof(gate)),
    };

    /// <summary>The client's address as the connection has it, after SwarmEdge:Proxy:TrustedProxies (ForwardedHeaders).</summary>
    private static RequestDelegate IpAllow(IpAllowMiddleware allow, RequestDelegate next)
    {
        var networks = allow.Ranges.Select(r => IPNetwork.Parse(r)).ToArray();
        return context =>
        {
            var address = context.Connection.RemoteIpAddress;
            if (address is { IsIPv4MappedToIPv6: true })
            {
                address = address.MapToIPv4();
            }

            if (address is not null && Array.Exists(networks, n => n.Contains(address)))
            {
                return next(context);
            }

            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        };
    }

    private static RequestDelegate BasicAuth(BasicAuthMiddleware auth, RequestDelegate next, HtpasswdFiles users)
    {
        var challenge = $"Basic realm=\"{auth.Realm}\", charset=\"UTF-8\"";
        return async context =>
        {
            switch (await users.CheckAsync(auth.UsersFile, context.Request.Headers.Authorization))
            {
                case HtpasswdFiles.Result.Allowed:
                    if (auth.RemoveHeader)
                    {
                        context.Request.Headers.Authorization = default;
                    }

                    await next(context);
                    return;
                case HtpasswdFiles.Result.Unavailable:
                    // Fail closed, and say so in the log (HtpasswdFiles): nobody gets in while the file cannot be read.
                    context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                    return;
                default:
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    context.Response.Headers.WWWAuthenticate = challenge;
                    return;
            }
        };
    }

    /// <summary>Matched on the whole URL as the client asked for it; the first match is replaced.</summary>
    private static RequestDelegate RedirectRegex(RedirectRegexMiddleware redirect, RequestDelegate next)
    {
        var regex = MiddlewareLabelParser.Compile(redirect.Pattern);
        return context =>
        {
            var request = context.Request;
            var url = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{request.QueryString}";
            if (!regex.IsMatch(url))
            {
                return next(context);
            }

            var location = regex.Replace(url, redirect.Replacement, 1);
            if (location.AsSpan().IndexOfAny('\r', '\n') >= 0)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return Task.CompletedTask;
            }

            var keepsMethod = !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method));
            context.Response.StatusCode = (redirect.Permanent, keepsMethod) switch
            {
                (true, false) => StatusCodes.Status301MovedPermanently,
                (true, true) => StatusCodes.Status308PermanentRedirect,
                (false, false) => StatusCodes.Status302Found,
                _ => StatusCodes.Status307TemporaryRedirect,
            };
            context.Response.Headers.Location = location;
            return Task.CompletedTask;
        };
    }

    private static RequestDelegate InFlight(InFlightMiddleware inFlight, RequestDelegate next)
    {
        var limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = inFlight.Limit, QueueLimit = 0 });
        return async context =>
        {
            using var lease = limiter.AttemptAcquire();
            if (!lease.IsAcquired)
            {
                context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                return;
            }

            await next(context);
        };
    }
}
