using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace SwarmEdge.Proxy.Limits;

/// <summary>SwarmEdge:Limits onto Kestrel's own limits (zero where a limit can be off means off).</summary>
internal static class ListenerLimits
{
    public static void Apply(KestrelServerLimits kestrel, LimitsOptions limits)
    {
        kestrel.RequestHeadersTimeout = limits.RequestHeadersTimeout;
        kestrel.KeepAliveTimeout = limits.KeepAliveTimeout;
        kestrel.MinRequestBodyDataRate = limits.MinRequestBodyDataRate > 0
            ? new MinDataRate(limits.MinRequestBodyDataRate, limits.MinDataRateGracePeriod)
            : null;
        kestrel.MinResponseDataRate = limits.MinResponseDataRate > 0
            ? new MinDataRate(limits.MinResponseDataRate, limits.MinDataRateGracePeriod)
            : null;
        kestrel.MaxConcurrentConnections = limits.MaxConcurrentConnections > 0 ? limits.MaxConcurrentConnections : null;
        kestrel.MaxConcurrentUpgradedConnections = limits.MaxConcurrentUpgradedConnections > 0 ? limits.MaxConcurrentUpgradedConnections : null;
        kestrel.MaxRequestLineSize = limits.MaxRequestLineSize;
        kestrel.MaxRequestHeadersTotalSize = limits.MaxRequestHeadersTotalSize;
        kestrel.MaxRequestHeaderCount = limits.MaxRequestHeaderCount;
        kestrel.MaxRequestBodySize = limits.MaxRequestBodySize > 0 ? limits.MaxRequestBodySize : null;
    }
}
