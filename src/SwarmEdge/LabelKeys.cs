namespace SwarmEdge;

/// <summary>
/// The swarmedge.* service labels, spelled once: discovery selects services by one of them, the catalog reads
/// them, audit and convert write them.
/// </summary>
internal static class LabelKeys
{
    public const string Prefix = "swarmedge.";
    public const string Enable = "swarmedge.enable";
    public const string Network = "swarmedge.network";

    public const string HttpPrefix = "swarmedge.http.";
    public const string HttpPort = "swarmedge.http.port";
    public const string HttpHost = "swarmedge.http.host";
    public const string HttpPath = "swarmedge.http.path";
    public const string HttpLoadBalancing = "swarmedge.http.lb";
    public const string RetryAttempts = "swarmedge.http.retry.attempts";
    public const string RetryMethods = "swarmedge.http.retry.methods";
    public const string HealthPath = "swarmedge.http.healthcheck.path";
    public const string HealthInterval = "swarmedge.http.healthcheck.interval";
    public const string HealthTimeout = "swarmedge.http.healthcheck.timeout";
    public const string HealthThreshold = "swarmedge.http.healthcheck.unhealthy-threshold";
    public const string StallTimeout = "swarmedge.http.stall-timeout";
    public const string MaxBodySize = "swarmedge.http.max-body-size";
    public const string ResponseTimeout = "swarmedge.http.timeout";
    public const string RateLimit = "swarmedge.http.rate-limit";
    public const string Protocol = "swarmedge.http.protocol";
    public const string Sticky = "swarmedge.http.sticky";
    public const string StickyCookie = "swarmedge.http.sticky.cookie";
    public const string StickySameSite = "swarmedge.http.sticky.samesite";
    public const string StickySecure = "swarmedge.http.sticky.secure";
    public const string RoutersPrefix = "swarmedge.http.routers.";
    public const string MiddlewaresPrefix = "swarmedge.middlewares.";

    public const string TcpPrefix = "swarmedge.tcp.";
    public const string TcpPort = "swarmedge.tcp.port";
    public const string TcpEntrypoint = "swarmedge.tcp.entrypoint";
    public const string TcpSni = "swarmedge.tcp.sni";
    public const string TcpRoutersPrefix = "swarmedge.tcp.routers.";

    /// <summary>Keys of one HTTP router: swarmedge.http.&lt;key&gt; for the default one, swarmedge.http.routers.&lt;name&gt;.&lt;key&gt; for a named one.</summary>
    public static readonly string[] RouterKeys = ["host", "path", "exact-path", "methods", "headers", "priority", "strip-prefix", "scheme", "https-redirect", "hsts", "acme", "middlewares"];

    /// <summary>
    /// A named router may also send to a task port of its own, and set its own limits (the service's
    /// swarmedge.http.max-body-size and swarmedge.http.timeout are every router's default).
    /// </summary>
    public static readonly string[] NamedRouterKeys = [.. RouterKeys, "port", "max-body-size", "timeout"];

    public static readonly string[] TcpRouterKeys = ["port", "entrypoint", "sni"];

    /// <summary>The service-wide keys outside swarmedge.tcp.* and the routers.</summary>
    public static readonly HashSet<string> ServiceKeys =
    [
        Enable, Network, HttpPort, HttpLoadBalancing, RetryAttempts, RetryMethods, HealthPath, HealthInterval,
        HealthTimeout, HealthThreshold, StallTimeout, MaxBodySize, ResponseTimeout, RateLimit, Protocol, Sticky, StickyCookie, StickySameSite, StickySecure,
        .. RouterKeys.Select(k => HttpPrefix + k),
    ];
}
