using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using SwarmEdge.Admin;
using SwarmEdge.Catalog;
using Yarp.ReverseProxy.Configuration;

namespace SwarmEdge.Proxy;

/// <summary>
/// The only thing that touches YARP's configuration. Builds routes and clusters from the catalog, checks each
/// one with YARP's own validator (YARP rejects a whole update for one bad route, so a bad one is dropped here
/// and reported against its service instead), swaps the configuration in only when it changed, and tells
/// PendingResponses which tasks left.
/// </summary>
internal sealed partial class ProxyConfigApplier(
    InMemoryConfigProvider provider,
    IConfigValidator validator,
    PendingResponses pending,
    IOptions<SwarmEdgeOptions> options,
    ILogger<ProxyConfigApplier> logger)
{
    private readonly string _defaultPolicy = options.Value.Proxy.LoadBalancingPolicy;
    private readonly AcmeOptions _acme = options.Value.Acme;
    private IReadOnlyList<RouteConfig> _appliedRoutes = [];
    private IReadOnlyList<ClusterConfig> _appliedClusters = [];

    // Validation results by ID, reused while a route or cluster stays equal: most applies change only a few.
    private readonly Dictionary<string, (RouteConfig Config, string? Error)> _validatedRoutes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (ClusterConfig Config, string? Error)> _validatedClusters = new(StringComparer.Ordinal);

    public async ValueTask<ProxyApplyResult> ApplyAsync(ServiceCatalog catalog)
    {
        var desired = ProxyConfigBuilder.Build(catalog, _defaultPolicy, _acme);
        var errors = desired.Refused.ToDictionary(e => e.Key, e => e.Value.ToList(), StringComparer.Ordinal);

        var clusters = new List<ClusterConfig>(desired.Clusters.Count);
        foreach (var cluster in desired.Clusters)
        {
            if (await ValidateAsync(cluster) is { } error)
            {
                Add(errors, ServiceOf(cluster.Metadata), $"cluster refused by the proxy: {error}");
            }
            else
            {
                clusters.Add(cluster);
            }
        }

        var clusterIds = clusters.Select(c => c.ClusterId).ToHashSet(StringComparer.Ordinal);
        var routes = new List<RouteConfig>(desired.Routes.Count);
        foreach (var route in desired.Routes)
        {
            if (!clusterIds.Contains(route.ClusterId!))
            {
                continue;
            }

            if (await ValidateAsync(route) is { } error)
            {
                Add(errors, ServiceOf(route.Metadata), $"route {route.RouteId} refused by the proxy: {error}");
            }
            else
            {
                routes.Add(route);
            }
        }

        var refused = errors.ToImmutableDictionary(e => e.Key, e => e.Value.ToImmutableArray(), StringComparer.Ordinal);
        Forget(_validatedRoutes, desired.Routes.Select(r => r.RouteId));
        Forget(_validatedClusters, desired.Clusters.Select(c => c.ClusterId));

        if (routes.SequenceEqual(_appliedRoutes) && clusters.SequenceEqual(_appliedClusters))
        {
            return new ProxyApplyResult(false, refused, []);
        }

        var departed = RemovedDestinations(_appliedClusters, clusters);
        provider.Update(routes, clusters);
        _appliedRoutes = routes;
        _appliedClusters = clusters;
        SwarmEdgeMetrics.ConfigApplies.Inc();
        Log.Applied(logger, routes.Count, clusters.Count, clusters.Sum(c => c.Destinations?.Count ?? 0));

        // Requests still waiting on tasks that just left: sent elsewhere if their node is lost (see PendingResponses).
        if (departed.Length > 0 && pending.Depart(departed) is var waiting and > 0)
        {
            Log.DepartedWithPending(logger, waiting, string.Join(",", departed.Select(t => t.Task).Distinct()));
        }

        return new ProxyApplyResult(true, refused, departed);
    }

    private static string ServiceOf(IReadOnlyDictionary<string, string>? metadata) =>
        metadata?.GetValueOrDefault(ProxyConfigBuilder.ServiceMetadataKey) ?? "";

    private async ValueTask<string?> ValidateAsync(RouteConfig route)
    {
        if (_validatedRoutes.TryGetValue(route.RouteId, out var known) && known.Config.Equals(route))
        {
            return known.Error;
        }

        var problems = await validator.ValidateRouteAsync(route);
        var error = problems.Count == 0 ? null : string.Join("; ", problems.Select(p => p.Message));
        _validatedRoutes[route.RouteId] = (route, error);
        return error;
    }

    private async ValueTask<string?> ValidateAsync(ClusterConfig cluster)
    {
        if (_validatedClusters.TryGetValue(cluster.ClusterId, out var known) && known.Config.Equals(cluster))
        {
            return known.Error;
        }

        var problems = await validator.ValidateClusterAsync(cluster);
        var error = problems.Count == 0 ? null : string.Join("; ", problems.Select(p => p.Message));
        _validatedClusters[cluster.ClusterId] = (cluster, error);
        return error;
    }

    private static ImmutableArray<(string Cluster, string Task)> RemovedDestinations(IReadOnlyList<ClusterConfig> before, IReadOnlyList<ClusterConfig> after)
    {
        var kept = after.SelectMany(c => (c.Destinations?.Keys ?? Enumerable.Empty<string>()).Select(id => (c.ClusterId, id))).ToHashSet();
        return [.. before.SelectMany(c => (c.Destinations?.Keys ?? Enumerable.Empty<string>()).Select(id => (c.ClusterId, id)))
            .Where(key => !kept.Contains(key))];
    }

    private static void Forget<T>(Dictionary<string, T> cache, IEnumerable<string> keep)
    {
        if (cache.Count > 0)
        {
            var alive = keep.ToHashSet(StringComparer.Ordinal);
            foreach (var id in cache.Keys.Where(id => !alive.Contains(id)).ToList())
            {
                cache.Remove(id);
            }
        }
    }

    private static void Add(Dictionary<string, List<string>> errors, string service, string error)
    {
        if (!errors.TryGetValue(service, out var list))
        {
            errors[service] = list = [];
        }

        list.Add(error);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 300, Level = LogLevel.Information,
            Message = "Applied proxy configuration: {Routes} routes, {Clusters} clusters, {Destinations} endpoints")]
        public static partial void Applied(ILogger logger, int routes, int clusters, int destinations);

        [LoggerMessage(EventId = 301, Level = LogLevel.Information,
            Message = "{Count} requests wait on departed tasks [{Tasks}]: they finish there unless the tasks' node is lost")]
        public static partial void DepartedWithPending(ILogger logger, int count, string tasks);
    }
}
