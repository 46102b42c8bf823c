using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using SwarmEdge.Catalog;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace SwarmEdge.Proxy;

/// <summary>
/// Pure translation of the catalog into YARP routes and clusters: one cluster per service and task port. A
/// service's HTTP port (swarmedge.http.port) is the cluster named after the service; a router that names another
/// port gets a cluster "service:port" of the same tasks on that port, with health, stall detection and retries of
/// its own: a task whose UI port fails while its RPC port answers is out of the UI's rotation only. YARP compares
/// IDs ignoring case and refuses a whole update with a duplicate, so a duplicate is left out here and reported
/// against its service in Refused.
/// </summary>
internal static class ProxyConfigBuilder
{
    /// <summary>
    /// ByService holds each service's routes and clusters by the catalog's instance of the service: the next build
    /// takes them as they are for a service the catalog reused (the same instance is the same service), so that
    /// unchanged routes and clusters stay the same objects and the applier passes over them by reference.
    /// </summary>
    public sealed record ProxyConfig(
        IReadOnlyList<RouteConfig> Routes,
        IReadOnlyList<ClusterConfig> Clusters,
        ImmutableDictionary<string, ImmutableArray<string>> Refused)
    {
        internal IReadOnlyDictionary<CatalogService, ServiceConfig> ByService { get; init; } = new Dictionary<CatalogService, ServiceConfig>();

        internal string DefaultLoadBalancingPolicy { get; init; } = "";
    }

    internal sealed record ServiceConfig(ClusterConfig[] Clusters, RouteConfig[] Routes);

    /// <summary>Route metadata key that names the service, read by request metrics and the admin API.</summary>
    public const string ServiceMetadataKey = "swarmedge.service";

    /// <summary>YARP's ConsecutiveFailures active health policy reads its threshold from cluster metadata.</summary>
    public const string ConsecutiveFailuresThresholdKey = "ConsecutiveFailuresHealthPolicy.Threshold";

    /// <summary>Cluster metadata key for a service's own stall timeout in milliseconds, read by the StallDetector.</summary>
    public const string StallTimeoutKey = "swarmedge.stall-timeout-ms";

    /// <summary>The route that forwards the CA's HTTP-01 requests to the issuer: no service route's ID lacks a '/'.</summary>
    public const string AcmeChallengeRouteId = "acme-challenge";

    /// <summary>The issuer's cluster: no service's cluster ID holds a '/'.</summary>
    public const string AcmeIssuerClusterId = "acme/issuer";

    /// <param name="previous">The last build, whose services' routes and clusters are reused where the catalog reused the service.</param>
    public static ProxyConfig Build(ServiceCatalog catalog, string defaultLoadBalancingPolicy, AcmeOptions? acme = null, ProxyConfig? previous = null)
    {
        var built = new Dictionary<CatalogService, ServiceConfig>(ReferenceEqualityComparer.Instance);
        var reusable = previous is not null && previous.DefaultLoadBalancingPolicy == defaultLoadBalancingPolicy
            ? previous.ByService
            : built;
        var routes = new List<RouteConfig>();
        var clusters = new List<ClusterConfig>();
        var clusterIds = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var routeIds = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var refused = ImmutableDictionary.CreateBuilder<string, ImmutableArray<string>>(StringComparer.Ordinal);

        foreach (var service in catalog.Services)
        {
            if (!service.IsHttpRouted)
            {
                continue;
            }

            var problems = ImmutableArray.CreateBuilder<string>();
            var accepted = new HashSet<string>(StringComparer.Ordinal);
            if (!reusable.TryGetValue(service, out var own))
            {
                var routing = service.Routing!;
                var ports = service.Routes.Select(routing.PortOf).Prepend(routing.HttpPort ?? 0).Where(p => p > 0).Distinct();
                own = new ServiceConfig(
                    [.. ports.Select(port => BuildCluster(service, port, defaultLoadBalancingPolicy))],
                    [.. service.Routes.Select(route => BuildRoute(service, route))]);
            }

            built[service] = own;
            foreach (var cluster in own.Clusters)
            {
                if (clusterIds.Add(cluster.ClusterId))
                {
                    clusters.Add(cluster);
                    accepted.Add(cluster.ClusterId);
                }
                else
                {
                    problems.Add($"cluster refused by the proxy: another service is named {cluster.ClusterId} when case is ignored");
                }
            }

            foreach (var route in own.Routes)
            {
                // A route whose cluster was left out goes with it, its service's error says why.
                if (!accepted.Contains(route.ClusterId!))
                {
                    continue;
                }

                if (routeIds.Add(route.RouteId))
                {
                    routes.Add(route);
                }
                else
                {
                    problems.Add($"route {route.RouteId} refused by the proxy: another route is named {route.RouteId} when case is ignored");
                }
            }

            if (problems.Count > 0)
            {
                refused[service.Name] = problems.ToImmutable();
            }
        }

        // Wildcards are ordered by DNS-01 (AcmeHosts leaves them out here): no challenge of theirs comes to an edge.
        if (acme is { Enabled: true } && Acme.AcmeHosts.Of(catalog, acme.AllRoutes).Hosts is { IsEmpty: false } acmeHosts)
        {
            routes.Add(AcmeChallengeRoute(acmeHosts));
            clusters.Add(new ClusterConfig
            {
                ClusterId = AcmeIssuerClusterId,
                Destinations = new Dictionary<string, DestinationConfig> { ["issuer"] = new() { Address = acme.IssuerAddress } },
            });
        }

        return new ProxyConfig(routes, clusters, refused.ToImmutable()) { ByService = built, DefaultLoadBalancingPolicy = defaultLoadBalancingPolicy };
    }

    /// <summary>
    /// Whichever edge the CA reaches answers the challenge: it forwards it to the issuer, whose ACME client holds
    /// the token. Only for the hosts being given certificates, before any service route (a service may answer
    /// its own challenges on a host that is not ours to order), on both schemes and never redirected.
    /// </summary>
    private static RouteConfig AcmeChallengeRoute(ImmutableArray<string> hosts) => new()
    {
        RouteId = AcmeChallengeRouteId,
        ClusterId = AcmeIssuerClusterId,
        Order = int.MinValue,
        Match = new RouteMatch { Hosts = hosts, Path = "/.well-known/acme-challenge/{token}" },
        // The ACME client answers a token for the host it is ordering: it must see the client's Host, which YARP
        // replaces with the destination's by default.
        Transforms = [new Dictionary<string, string> { ["RequestHeaderOriginalHost"] = "true" }],
        Metadata = new Dictionary<string, string>
        {
            [RouteSchemeMiddleware.SchemeKey] = nameof(RouteScheme.Both),
            [RouteSchemeMiddleware.RedirectKey] = "false",
        },
    };

    public static string RouteId(string serviceName, string routeName) => $"{serviceName}/{routeName}";

    /// <summary>The cluster of a service's tasks on one port: the service's name for its HTTP port.</summary>
    public static string ClusterId(CatalogService service, int port) =>
        port == service.Routing!.HttpPort ? service.Name : $"{service.Name}:{port}";

    private static ClusterConfig BuildCluster(CatalogService service, int port, string defaultLoadBalancingPolicy) => new()
    {
        ClusterId = ClusterId(service, port),
        LoadBalancingPolicy = service.Routing!.LoadBalancingPolicy ?? defaultLoadBalancingPolicy,
        // Destination IDs are task IDs: a task that stays keeps its ID, so YARP keeps its health state and
        // in-flight requests finish on it; a new task is a new destination.
        Destinations = service.Endpoints.ToDictionary(
            e => e.TaskId,
            e => new DestinationConfig
            {
                Address = service.Routing.Protocol == TaskProtocol.Https ? e.UrlOn(port, "https") : e.Port == port ? e.Url : e.UrlOn(port),
                // The task's node, for SuspectNodes: one lost task makes its node's other tasks the last to try.
                Metadata = e.NodeId.Length > 0 ? NodeMetadata.Of(e.NodeId) : null,
            },
            StringComparer.Ordinal),
        HttpRequest = service.Routing.Protocol switch
        {
            // Prior knowledge: HTTP/2 from the first byte, as h2c servers expect; no fallback to HTTP/1.1.
            TaskProtocol.H2c => new ForwarderRequestConfig { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact },
            // ALPN decides: HTTP/2 where the task offers it, else HTTP/1.1.
            TaskProtocol.Https => new ForwarderRequestConfig { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower },
            _ => null,
        },
        SessionAffinity = service.Routing.Sticky is { } sticky
            ? new SessionAffinityConfig
            {
                Enabled = true,
                // A hash of the task ID: the same on every edge, with no key to share; a departed task's clients move.
                Policy = "HashCookie",
                FailurePolicy = "Redistribute",
                AffinityKeyName = sticky.Cookie.Length > 0 ? sticky.Cookie : StickyCookieOf(service.Name),
                Cookie = new SessionAffinityCookieConfig
                {
                    HttpOnly = true,
                    SameSite = Enum.Parse<Microsoft.AspNetCore.Http.SameSiteMode>(sticky.SameSite),
                    SecurePolicy = sticky.Secure switch
                    {
                        true => Microsoft.AspNetCore.Http.CookieSecurePolicy.Always,
                        false => Microsoft.AspNetCore.Http.CookieSecurePolicy.None,
                        null => Microsoft.AspNetCore.Http.CookieSecurePolicy.SameAsRequest,
                    },
                },
            }
            : null,
        HealthCheck = new HealthCheckConfig
        {
            // A task that fails at the transport level leaves the rotation at once (TransportFailurePolicy).
            Passive = new PassiveHealthCheckConfig { Enabled = true, Policy = TransportFailurePolicy.PolicyName },
            // Active checks probe the service's HTTP port, the one swarmedge.http.healthcheck.path is about.
            Active = service.Routing.HealthCheck is { } check && port == service.Routing.HttpPort
                ? new ActiveHealthCheckConfig
                {
                    Enabled = true,
                    Path = check.Path,
                    Interval = check.Interval,
                    Timeout = check.Timeout,
                    Policy = "ConsecutiveFailures",
                }
                : null,
            // When every task looks unhealthy, try them all rather than answer 503 from here.
            AvailableDestinationsPolicy = "HealthyOrPanic",
        },
        Metadata = ClusterMetadata(service, port),
    };

    /// <summary>A service's own affinity cookie: its name in the characters a cookie name may hold.</summary>
    public static string StickyCookieOf(string serviceName) =>
        "swarmedge_" + string.Concat(serviceName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '_'));

    /// <summary>
    /// Added to the Order of host-less routes: above any host route's (priorities are at most 100,000 either
    /// way), so a route without a host never takes a request that a route with a host matches.
    /// </summary>
    public const int HostlessOrderOffset = 1_000_000;

    private static RouteConfig BuildRoute(CatalogService service, HttpRoute route)
    {
        var prefix = route.PathPrefix is null or "/" ? "" : route.PathPrefix;
        // YARP: a lower Order wins; our labels say a higher priority wins.
        var order = -(route.Priority ?? 0);
        return new RouteConfig
        {
            RouteId = RouteId(service.Name, route.Name),
            ClusterId = ClusterId(service, service.Routing!.PortOf(route)),
            Order = route.Hosts.IsEmpty ? HostlessOrderOffset + order : route.Priority is not null ? order : null,
            Match = new RouteMatch
            {
                Hosts = route.Hosts.IsEmpty ? null : route.Hosts,
                // The catch-all may be empty, so "/api/{**rest}" matches /api, /api/ and /api/x but not /apix.
                Path = route.ExactPath ? (prefix.Length > 0 ? prefix : "/") : prefix + "/{**catch-all}",
                Methods = route.Methods.IsEmpty ? null : route.Methods,
                Headers = route.Headers.IsEmpty ? null :
                    [.. route.Headers.Select(h => new RouteHeader { Name = h.Name, Values = [h.Value], Mode = HeaderMatchMode.ExactHeader, IsCaseSensitive = true })],
            },
            RateLimiterPolicy = service.Routing!.RateLimit is not null ? Limits.ClientRateLimits.ServicePolicy : null,
            Transforms = Transforms(route, prefix),
            Metadata = RouteMetadata(service, route),
        };
    }

    /// <summary>The route's own strip-prefix first, then its chain's transform middlewares in chain order.</summary>
    private static List<IReadOnlyDictionary<string, string>>? Transforms(HttpRoute route, string prefix)
    {
        var transforms = new List<IReadOnlyDictionary<string, string>>();
        if (route.StripPrefix && prefix.Length > 0)
        {
            transforms.Add(new Dictionary<string, string> { ["PathRemovePrefix"] = prefix });
        }

        foreach (var middleware in route.Chain)
        {
            switch (middleware)
            {
                case HeadersMiddleware headers:
                    transforms.AddRange(headers.Request.Select(c => c.Action switch
                    {
                        HeaderAction.Remove => new Dictionary<string, string> { ["RequestHeaderRemove"] = c.Header },
                        var action => new Dictionary<string, string> { ["RequestHeader"] = c.Header, [action.ToString()] = c.Value! },
                    }));
                    transforms.AddRange(headers.Response.Select(c => c.Action switch
                    {
                        HeaderAction.Remove => new Dictionary<string, string> { ["ResponseHeaderRemove"] = c.Header, ["When"] = "Always" },
                        var action => new Dictionary<string, string> { ["ResponseHeader"] = c.Header, [action.ToString()] = c.Value!, ["When"] = "Always" },
                    }));
                    break;
                case StripPrefixMiddleware strip:
                    transforms.Add(new Dictionary<string, string> { [Middlewares.PathTransformFactory.StripPrefixesKey] = string.Join(',', strip.Prefixes) });
                    break;
                case AddPrefixMiddleware add:
                    transforms.Add(new Dictionary<string, string> { ["PathPrefix"] = add.Prefix });
                    break;
                case ReplacePathRegexMiddleware replace:
                    transforms.Add(new Dictionary<string, string>
                    {
                        [Middlewares.PathTransformFactory.PathRegexKey] = replace.Pattern,
                        [Middlewares.PathTransformFactory.ReplacementKey] = replace.Replacement,
                    });
                    break;
            }
        }

        return transforms.Count > 0 ? transforms : null;
    }

    private static Dictionary<string, string> ClusterMetadata(CatalogService service, int port)
    {
        var metadata = new Dictionary<string, string> { [ServiceMetadataKey] = service.Name };
        if (service.Routing!.HealthCheck is { } check && port == service.Routing.HttpPort)
        {
            metadata[ConsecutiveFailuresThresholdKey] = check.Threshold.ToString(CultureInfo.InvariantCulture);
        }

        if (service.Routing.StallTimeout is { } stall)
        {
            metadata[StallTimeoutKey] = ((long)stall.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        }

        return metadata;
    }

    private static Dictionary<string, string> RouteMetadata(CatalogService service, HttpRoute route)
    {
        var metadata = new Dictionary<string, string> { [ServiceMetadataKey] = service.Name };
        if (route.Tls is { } tls)
        {
            metadata[RouteSchemeMiddleware.SchemeKey] = tls.Scheme.ToString();
            if (tls.HttpsRedirect is { } redirect)
            {
                metadata[RouteSchemeMiddleware.RedirectKey] = redirect ? "true" : "false";
            }

            if (tls.Hsts is { } hsts)
            {
                metadata[RouteSchemeMiddleware.HstsKey] = ((long)hsts.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            }
        }

        if (route.Chain.Any(m => m.IsGate))
        {
            metadata[Middlewares.RouteGatesMiddleware.GatesKey] = Middlewares.RouteGatesMiddleware.Serialize(route.Chain.Where(m => m.IsGate));
        }

        if (route.MaxRequestBodySize is { } maxBody)
        {
            metadata[Limits.RequestBodyLimitMiddleware.MaxBodySizeMetadataKey] = maxBody.ToString(CultureInfo.InvariantCulture);
        }

        if (route.ResponseTimeout is { } timeout)
        {
            metadata[PendingResponseForwarder.ResponseTimeoutKey] = ((long)timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        }

        if (service.Routing!.RateLimit is { } rate)
        {
            metadata[Limits.ClientRateLimits.RateMetadataKey] = Limits.ClientRateLimits.Format(rate);
        }

        if (service.Routing.Retry is { } retry)
        {
            if (retry.Attempts is { } attempts)
            {
                metadata[RetryMiddleware.AttemptsMetadataKey] = attempts.ToString(CultureInfo.InvariantCulture);
            }

            if (retry.Methods is { } methods)
            {
                metadata[RetryMiddleware.MethodsMetadataKey] = methods;
            }
        }

        return metadata;
    }
}
