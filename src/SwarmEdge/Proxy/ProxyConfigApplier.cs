using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using SwarmEdge.Admin;
using SwarmEdge.Catalog;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace SwarmEdge.Proxy;

/// <summary>
/// The only thing that touches YARP's configuration. Builds routes and clusters from the catalog, checks each
/// one with YARP's own validator (YARP rejects a whole update for one bad route, so a bad one is dropped here
/// and reported against its service instead), swaps the configuration in only when it changed (and when only
/// tasks changed, just the destinations of their clusters), and tells PendingResponses which tasks left.
/// </summary>
internal sealed partial class ProxyConfigApplier(
    InMemoryConfigProvider provider,
    IConfigValidator validator,
    IProxyStateLookup proxyState,
    IClusterDestinationsUpdater destinationsUpdater,
    PendingResponses pending,
    IOptions<SwarmEdgeOptions> options,
    ILogger<ProxyConfigApplier> logger)
{
    private readonly string _defaultPolicy = options.Value.Proxy.LoadBalancingPolicy;
    private readonly AcmeOptions _acme = options.Value.Acme;
    private IReadOnlyList<RouteConfig> _appliedRoutes = [];
    private IReadOnlyList<ClusterConfig> _appliedClusters = [];
    private ProxyConfigBuilder.ProxyConfig? _desired;

    // Validation results by ID, reused while a route or cluster stays equal: most applies change only a few.
    private readonly Dictionary<string, (RouteConfig Config, string? Error)> _validatedRoutes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (ClusterConfig Config, string? Error)> _validatedClusters = new(StringComparer.Ordinal);

    public async ValueTask<ProxyApplyResult> ApplyAsync(ServiceCatalog catalog)
    {
        var desired = _desired = ProxyConfigBuilder.Build(catalog, _defaultPolicy, _acme, _desired);
        var errors = desired.Refused.ToDictionary(e => e.Key, e => e.Value.ToList(), StringComparer.Ordinal);

        var clusters = new List<ClusterConfig>(desired.Clusters.Count);
        HashSet<string>? refusedClusters = null;
        foreach (var cluster in desired.Clusters)
        {
            if (await ValidateAsync(cluster) is { } error)
            {
                Add(errors, ServiceOf(cluster.Metadata), $"cluster refused by the proxy: {error}");
                (refusedClusters ??= new HashSet<string>(StringComparer.Ordinal)).Add(cluster.ClusterId);
            }
            else
            {
                clusters.Add(cluster);
            }
        }

        var routes = new List<RouteConfig>(desired.Routes.Count);
        foreach (var route in desired.Routes)
        {
            if (refusedClusters?.Contains(route.ClusterId!) == true)
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
        Forget(_validatedRoutes, desired.Routes, r => r.RouteId);
        Forget(_validatedClusters, desired.Clusters, c => c.ClusterId);

        var sameRoutes = Same(routes, _appliedRoutes);
        if (sameRoutes && Same(clusters, _appliedClusters))
        {
            return new ProxyApplyResult(false, refused, []);
        }

        var departed = RemovedDestinations(_appliedClusters, clusters);
        if (!sameRoutes || !TryUpdateDestinations(_appliedClusters, clusters))
        {
            provider.Update(routes, clusters);
        }

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

    /// <summary>The same configurations in the same order; most are the very objects of the last build.</summary>
    private static bool Same<T>(IReadOnlyList<T> a, IReadOnlyList<T> b)
        where T : class, IEquatable<T>
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (!ReferenceEquals(a[i], b[i]) && !a[i].Equals(b[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// When only the tasks of some clusters changed (a rolling update, a crash, scaling), puts them straight into
    /// YARP's runtime state of those clusters, as YARP's own reload does for a cluster whose destinations changed:
    /// a new configuration would make YARP validate and compare every route and cluster again, which grows with
    /// the swarm. The provider's configuration is left behind meanwhile and catches up, whole, at the next change
    /// that is not only tasks; YARP then finds these destinations already in place and keeps their state. False,
    /// with nothing touched, when anything else changed or YARP's state is not the one last applied (a reload not
    /// finished, or one YARP refused): the caller then updates the provider. Only the applier updates the provider,
    /// always with the whole configuration; a second IProxyConfigProvider would make YARP re-apply the provider's
    /// older clusters and undo these writes.
    /// </summary>
    private bool TryUpdateDestinations(IReadOnlyList<ClusterConfig> before, IReadOnlyList<ClusterConfig> after)
    {
        if (before.Count != after.Count)
        {
            return false;
        }

        var changed = new List<(ClusterState State, ClusterConfig Before, ClusterConfig After)>();
        for (var i = 0; i < after.Count; i++)
        {
            var (old, next) = (before[i], after[i]);
            if (ReferenceEquals(old, next) || old.Equals(next))
            {
                continue;
            }

            if (!(old with { Destinations = next.Destinations }).Equals(next)
                || !proxyState.TryGetCluster(next.ClusterId, out var state)
                || !SameKeys(state.Destinations, old.Destinations))
            {
                return false;
            }

            changed.Add((state, old, next));
        }

        foreach (var (state, old, next) in changed)
        {
            var wanted = next.Destinations ?? new Dictionary<string, DestinationConfig>();
            foreach (var id in state.Destinations.Keys.Where(id => !wanted.ContainsKey(id)).ToList())
            {
                state.Destinations.TryRemove(id, out _);
            }

            foreach (var (id, config) in wanted)
            {
                // A task that stays keeps its state (health, requests in flight); one whose address changed is new.
                if (old.Destinations?.TryGetValue(id, out var was) != true || !was!.Equals(config))
                {
                    state.Destinations[id] = new DestinationState(id, new DestinationModel(config));
                }
            }

            destinationsUpdater.UpdateAllDestinations(state);
        }

        return true;
    }

    /// <summary>YARP runs the destinations last applied: the same IDs with the same configurations.</summary>
    private static bool SameKeys(System.Collections.Concurrent.ConcurrentDictionary<string, DestinationState> runtime, IReadOnlyDictionary<string, DestinationConfig>? config) =>
        runtime.Count == (config?.Count ?? 0)
        && (config is null || config.All(d => runtime.TryGetValue(d.Key, out var state)
            && (ReferenceEquals(state.Model.Config, d.Value) || state.Model.Config.Equals(d.Value))));

    private static string ServiceOf(IReadOnlyDictionary<string, string>? metadata) =>
        metadata?.GetValueOrDefault(ProxyConfigBuilder.ServiceMetadataKey) ?? "";

    private async ValueTask<string?> ValidateAsync(RouteConfig route)
    {
        if (_validatedRoutes.TryGetValue(route.RouteId, out var known) && (ReferenceEquals(known.Config, route) || known.Config.Equals(route)))
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
        if (_validatedClusters.TryGetValue(cluster.ClusterId, out var known) && (ReferenceEquals(known.Config, cluster) || known.Config.Equals(cluster)))
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
        var afterById = new Dictionary<string, ClusterConfig>(after.Count, StringComparer.Ordinal);
        foreach (var cluster in after)
        {
            afterById[cluster.ClusterId] = cluster;
        }

        var removed = ImmutableArray.CreateBuilder<(string Cluster, string Task)>();
        foreach (var old in before)
        {
            afterById.TryGetValue(old.ClusterId, out var next);
            if (ReferenceEquals(old, next) || old.Destinations is null)
            {
                continue;
            }

            foreach (var id in old.Destinations.Keys)
            {
                if (next?.Destinations?.ContainsKey(id) != true)
                {
                    removed.Add((old.ClusterId, id));
                }
            }
        }

        return removed.ToImmutable();
    }

    /// <summary>
    /// Drops the results of routes or clusters that are gone, once they outnumber the live ones: a sweep per apply
    /// would cost as much as the applies it saves.
    /// </summary>
    private static void Forget<TConfig, T>(Dictionary<string, T> cache, IReadOnlyList<TConfig> live, Func<TConfig, string> id)
    {
        if (cache.Count > 2 * live.Count + 16)
        {
            var alive = live.Select(id).ToHashSet(StringComparer.Ordinal);
            foreach (var key in cache.Keys.Where(key => !alive.Contains(key)).ToList())
            {
                cache.Remove(key);
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
