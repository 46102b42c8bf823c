using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Cors.Infrastructure;
using CorsMiddleware = SwarmEdge.Catalog.CorsMiddleware;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.Options;
using SwarmEdge.Catalog;
using SwarmEdge.Proxy.Limits;

namespace SwarmEdge.Proxy.Middlewares;

/// <summary>
/// Each gate middleware as a request delegate in front of the rest of the chain. One instance for the edge: the
/// rate-limit buckets of every route live in one partitioned limiter (its timer refills them and drops the idle
/// ones), so a route that changes leaves no limiter behind.
/// </summary>
internal sealed class Gates(HtpasswdFiles users, ForwardAuthClient forwardAuth, IServiceProvider services, ILoggerFactory loggers) : IDisposable
{
    private readonly PartitionedRateLimiter<RateKey> _rates = PartitionedRateLimiter.Create<RateKey, RateKey>(
        static key => RateLimitPartition.GetTokenBucketLimiter(key, static k => k.Scope.Bucket));

    private readonly CorsService _cors = new(Options.Create(new CorsOptions()), loggers);

    public RequestDelegate Build(Middleware gate, RequestDelegate next) => gate switch
    {
        IpAllowMiddleware allow => IpAllow(allow, next),
        BasicAuthMiddleware auth => BasicAuth(auth, next, users),
        RedirectRegexMiddleware redirect => RedirectRegex(redirect, next),
        InFlightMiddleware inFlight => InFlight(inFlight, next),
        RateLimitMiddleware rate => RateLimit(rate, next),
        CompressMiddleware compress => Compress(compress, next),
        CorsMiddleware cors => Cors(cors, next),
        ForwardAuthMiddleware auth => async context =>
        {
            if (await forwardAuth.AuthorizeAsync(auth, context))
            {
                await next(context);
            }
        },
        _ => throw new ArgumentException($"{gate.GetType().Name} is not a gate", nameof(gate)),
    };

    public void Dispose() => _rates.Dispose();

    /// <summary>How many values of the header one client address may spend at the full rate.</summary>
    internal const int ValuesPerClient = 10;

    /// <summary>
    /// One scope per built chain: buckets are per route (as each of Traefik's routers has its own), and a route
    /// whose labels change starts with full buckets. The limiter's timer refills every 100 ms, so a bucket holds
    /// at least 200 ms of the rate (and 2): a smaller one would be refilled less than the rate. Counted by a
    /// header's values, a client address also has a bucket of ValuesPerClient times the rate: a client inventing a
    /// value per request would otherwise pass unlimited and leave a bucket behind each time.
    /// </summary>
    private RequestDelegate RateLimit(RateLimitMiddleware rate, RequestDelegate next)
    {
        var scope = new RateScope(Bucket(rate.Rate, rate.Burst));
        var header = rate.Header;
        var guard = new RateScope(Bucket(rate.Rate with { Permits = Math.Min(1_000_000, rate.Rate.Permits * ValuesPerClient) }, rate.Burst * ValuesPerClient));
        return context =>
        {
            var client = ClientAddress.Of(context.Connection.RemoteIpAddress);
            if (header is null || !context.Request.Headers.TryGetValue(header, out var values) || values.ToString() is not { Length: > 0 } value)
            {
                // By the client's address (also when the header is missing).
                using var byClient = _rates.AttemptAcquire(new RateKey(scope, client, null));
                return byClient.IsAcquired ? next(context) : Refuse(context, byClient);
            }

            using var guarded = _rates.AttemptAcquire(new RateKey(guard, client, null));
            if (!guarded.IsAcquired)
            {
                return Refuse(context, guarded);
            }

            // A long value counts by its start: a client choosing values gets nothing a shorter one would not.
            using var byValue = _rates.AttemptAcquire(new RateKey(scope, default, value.Length > 256 ? value[..256] : value));
            return byValue.IsAcquired ? next(context) : Refuse(context, byValue);
        };
    }

    private static Task Refuse(HttpContext context, RateLimitLease lease)
    {
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        if (lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        return Task.CompletedTask;
    }

    internal static TokenBucketRateLimiterOptions Bucket(RequestRate rate, int burst) => new()
    {
        TokenLimit = Math.Max(Math.Max(burst, 2), (int)Math.Ceiling(rate.Permits * 0.2 / rate.Period.TotalSeconds)),
        TokensPerPeriod = 1,
        ReplenishmentPeriod = rate.Period / rate.Permits,
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    /// <summary>ASP.NET Core's response compression with this middleware's types: brotli, then gzip, at their fastest levels.</summary>
    private RequestDelegate Compress(CompressMiddleware compress, RequestDelegate next)
    {
        var options = new ResponseCompressionOptions
        {
            // Opted into per route by whoever serves it. BREACH needs a secret and attacker-chosen input reflected
            // in one compressed response; the README says so beside the middleware.
            EnableForHttps = true,
            MimeTypes = !compress.ContentTypes.IsEmpty ? compress.ContentTypes : ResponseCompressionDefaults.MimeTypes,
            ExcludedMimeTypes = compress.ExcludedContentTypes,
        };
        options.Providers.Add(new BrotliCompressionProvider(Options.Create(new BrotliCompressionProviderOptions())));
        options.Providers.Add(new GzipCompressionProvider(Options.Create(new GzipCompressionProviderOptions())));
        var middleware = new ResponseCompressionMiddleware(next, new ResponseCompressionProvider(services, Options.Create(options)));
        return middleware.Invoke;
    }

    /// <summary>ASP.NET Core's CORS middleware with this middleware's policy: it answers preflights itself.</summary>
    private RequestDelegate Cors(CorsMiddleware cors, RequestDelegate next)
    {
        var policy = new CorsPolicyBuilder();
        if (cors.Origins is ["*"])
        {
            policy.AllowAnyOrigin();
        }
        else
        {
            policy.WithOrigins([.. cors.Origins]).SetIsOriginAllowedToAllowWildcardSubdomains();
        }

        _ = cors.Methods is ["*"] ? policy.AllowAnyMethod() : policy.WithMethods([.. cors.Methods]);
        _ = cors.Headers is ["*"] ? policy.AllowAnyHeader() : policy.WithHeaders([.. cors.Headers]);
        policy.WithExposedHeaders([.. cors.ExposedHeaders]);
        _ = cors.AllowCredentials ? policy.AllowCredentials() : policy.DisallowCredentials();
        if (cors.MaxAge is { } maxAge)
        {
            policy.SetPreflightMaxAge(maxAge);
        }

        var middleware = new Microsoft.AspNetCore.Cors.Infrastructure.CorsMiddleware(next, _cors, policy.Build(), loggers);
        return context => middleware.Invoke(context, NoPolicies.Instance);
    }

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

    private sealed class RateScope(TokenBucketRateLimiterOptions bucket)
    {
        public TokenBucketRateLimiterOptions Bucket { get; } = bucket;
    }

    /// <summary>Compared by the scope's identity: no hashing of the middleware's definition per request.</summary>
    private readonly record struct RateKey(RateScope Scope, ClientAddress Client, string? Value) : IEquatable<RateKey>
    {
        public bool Equals(RateKey other) => ReferenceEquals(Scope, other.Scope) && Client == other.Client && string.Equals(Value, other.Value, StringComparison.Ordinal);

        public override int GetHashCode() => HashCode.Combine(RuntimeHelpers.GetHashCode(Scope), Client, Value);
    }

    /// <summary>The CORS middleware is given its policy; it asks a provider only when it has none.</summary>
    private sealed class NoPolicies : ICorsPolicyProvider
    {
        public static readonly NoPolicies Instance = new();

        public Task<CorsPolicy?> GetPolicyAsync(HttpContext context, string? policyName) => Task.FromResult<CorsPolicy?>(null);
    }
}
