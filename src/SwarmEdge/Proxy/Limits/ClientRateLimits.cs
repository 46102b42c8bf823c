using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using SwarmEdge.Catalog;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace SwarmEdge.Proxy.Limits;

/// <summary>
/// Requests per client address, with ASP.NET Core's rate limiting (token buckets, answered 429 with
/// Retry-After): SwarmEdge:Limits:RequestsPerSecondPerClient for every request, and a service's
/// swarmedge.http.rate-limit for its routes (carried in the route's metadata; YARP attaches the policy).
/// </summary>
internal static class ClientRateLimits
{
    /// <summary>The rate limiter policy of routes whose service sets swarmedge.http.rate-limit.</summary>
    public const string ServicePolicy = "swarmedge.service-rate";

    /// <summary>Route metadata: the service's rate as "permits/seconds".</summary>
    public const string RateMetadataKey = "swarmedge.rate-limit";

    /// <summary>ASP.NET Core's rate limiter with SwarmEdge's policies, from SwarmEdge:Limits (app.UseRateLimiter runs it).</summary>
    public static IServiceCollection AddSwarmEdgeRateLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<SwarmEdgeOptions>>((options, swarmEdge) =>
        {
            var limits = swarmEdge.Value.Limits;
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, _) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.HttpContext.Response.Headers.RetryAfter =
                        Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }

                return ValueTask.CompletedTask;
            };

            if (limits.RequestsPerSecondPerClient > 0)
            {
                var rate = new RequestRate(limits.RequestBurstPerClient > 0 ? limits.RequestBurstPerClient : limits.RequestsPerSecondPerClient, TimeSpan.FromSeconds(1));
                var perSecond = limits.RequestsPerSecondPerClient;
                options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, ClientAddress>(context =>
                    RateLimitPartition.GetTokenBucketLimiter(ClientAddress.Of(context.Connection.RemoteIpAddress),
                        _ => Bucket(rate.Permits, perSecond, rate.Period)));
            }

            options.AddPolicy(ServicePolicy, new ServiceRatePolicy());
        });
        return services;
    }

    public static string Format(RequestRate rate) =>
        $"{rate.Permits.ToString(CultureInfo.InvariantCulture)}/{((int)rate.Period.TotalSeconds).ToString(CultureInfo.InvariantCulture)}";

    private static TokenBucketRateLimiterOptions Bucket(int capacity, int refill, TimeSpan period) => new()
    {
        TokenLimit = capacity,
        TokensPerPeriod = refill,
        ReplenishmentPeriod = period,
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    /// <summary>One bucket per (route, rate, client address): a changed label starts new buckets.</summary>
    private sealed class ServiceRatePolicy : IRateLimiterPolicy<(string Route, RequestRate Rate, ClientAddress Client)>
    {
        private readonly ConditionalWeakTable<RouteConfig, RequestRate> _rates = new();

        public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => null;

        public RateLimitPartition<(string Route, RequestRate Rate, ClientAddress Client)> GetPartition(HttpContext httpContext)
        {
            var route = httpContext.GetEndpoint()?.Metadata.GetMetadata<RouteModel>()?.Config;
            if (route is null || _rates.GetValue(route, Parse) is not { Permits: > 0 } rate)
            {
                return RateLimitPartition.GetNoLimiter((string.Empty, new RequestRate(0, TimeSpan.Zero), default(ClientAddress)));
            }

            return RateLimitPartition.GetTokenBucketLimiter(
                (route.RouteId, rate, ClientAddress.Of(httpContext.Connection.RemoteIpAddress)),
                key => Bucket(key.Item2.Permits, key.Item2.Permits, key.Item2.Period));
        }

        private static RequestRate Parse(RouteConfig route)
        {
            if (route.Metadata?.TryGetValue(RateMetadataKey, out var value) == true
                && value.Split('/') is [var permits, var seconds]
                && int.TryParse(permits, NumberStyles.None, CultureInfo.InvariantCulture, out var p)
                && int.TryParse(seconds, NumberStyles.None, CultureInfo.InvariantCulture, out var s))
            {
                return new RequestRate(p, TimeSpan.FromSeconds(s));
            }

            return new RequestRate(0, TimeSpan.Zero);
        }
    }
}
