using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;
using SwarmEdge.Catalog;
using SwarmEdge.Discovery;
using SwarmEdge.Proxy;
using Yarp.ReverseProxy;

namespace SwarmEdge.Benchmarks;

/// <summary>
/// The cost of one rebuild at scale (1,000 and 10,000 services x 10 tasks): the pure snapshot -> catalog -> YARP
/// config steps from nothing, a rebuild where one task was replaced (only that service's endpoints are chosen again
/// and only its cluster's destinations reach YARP), one where a route changed (every service's routing decided
/// again, a whole new configuration for YARP), and one from nothing (no service reused, as at start), each applied
/// to a running YARP and waited for.
/// </summary>
/// <remarks>Under the garbage collector SwarmEdge runs with (SwarmEdge.csproj): server, not concurrent.</remarks>
[MemoryDiagnoser]
[GcServer(true)]
[GcConcurrent(false)]
public class RebuildBenchmarks
{
    private const int TasksPerService = 10;
    private const int Changed = 500;

    [Params(1000, 10000)]
    public int Services { get; set; }

    private SwarmSnapshot _snapshot = null!;
    private SwarmSnapshot _changed = null!;
    private SwarmSnapshot _replaced = null!;
    private SwarmSnapshot _rereadWhole = null!;
    private SwarmSnapshot _relabeled = null!;
    private ServiceCatalog _catalog = null!;
    private ServiceCatalog _relabeledCatalog = null!;
    private WebApplication _app = null!;
    private ProxyConfigApplier _applier = null!;
    private IProxyStateLookup _state = null!;
    private bool _flip;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _snapshot = SwarmScale.Snapshot(Services, TasksPerService);
        _replaced = SwarmScale.Snapshot(Services, TasksPerService, Changed);
        _rereadWhole = SwarmScale.WithWholeRead(_snapshot, _replaced);
        _changed = SwarmScale.WithServiceReread(_snapshot, _replaced, Changed);
        _relabeled = SwarmScale.WithServiceReread(_snapshot, SwarmScale.Snapshot(Services, TasksPerService, relabeledService: Changed), Changed);
        _catalog = CatalogBuilder.Build(_snapshot, ServiceCatalog.Empty, []);
        _relabeledCatalog = CatalogBuilder.Build(_relabeled, _catalog, []);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton(Options.Create(new SwarmEdgeOptions()));
        builder.Services.AddSwarmEdgeProxy();
        _app = builder.Build();
        _app.MapSwarmEdgeProxy();
        await _app.StartAsync();
        _applier = _app.Services.GetRequiredService<ProxyConfigApplier>();
        _state = _app.Services.GetRequiredService<IProxyStateLookup>();
        await _applier.ApplyAsync(_catalog);
        await WaitForAsync("svc-0500-task-00");
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await _app.DisposeAsync();

    [Benchmark(Description = "snapshot -> catalog from nothing (pure)")]
    public int BuildCatalog() => CatalogBuilder.Build(_snapshot, ServiceCatalog.Empty, []).Services.Length;

    [Benchmark(Description = "catalog -> YARP config from nothing (pure)")]
    public int BuildProxyConfig() => ProxyConfigBuilder.Build(_catalog, "PowerOfTwoChoices").Routes.Count;

    [Benchmark(Description = "rebuild, one task replaced (that service read again), applied to YARP")]
    public async Task FullRebuildWithOneChange()
    {
        _flip = !_flip;
        var snapshot = _flip ? _changed : _snapshot;
        var catalog = CatalogBuilder.Build(snapshot, _catalog, []);
        await _applier.ApplyAsync(catalog);
        await WaitForAsync(_flip ? "svc-0500-task-new" : "svc-0500-task-00");
        _catalog = catalog;
    }

    [Benchmark(Description = "a read of the whole swarm (every object new) merged into the snapshot (pure)")]
    public int MergeWholeRead() =>
        _snapshot.WithWholeRead(_replaced.Services, _replaced.TasksByService, _replaced.Networks, _replaced.Nodes).Services.Length;

    [Benchmark(Description = "rebuild, one task replaced, found by a read of the whole swarm (as the reader merges it), applied")]
    public async Task OneTaskReplacedAfterWholeRead()
    {
        _flip = !_flip;
        var catalog = CatalogBuilder.Build(_flip ? _rereadWhole : _snapshot, _catalog, []);
        await _applier.ApplyAsync(catalog);
        await WaitForAsync(_flip ? "svc-0500-task-new" : "svc-0500-task-00");
        _catalog = catalog;
    }

    [Benchmark(Description = "catalog, one route changed (that service read again; pure: every service's routing decided again)")]
    public int CatalogWithOneRouteChanged() => CatalogBuilder.Build(_relabeled, _catalog, []).Services.Length;

    [Benchmark(Description = "one route changed, built catalog applied to YARP (its config, checks and reload)")]
    public async Task ApplyOneRouteChanged()
    {
        _flip = !_flip;
        await _applier.ApplyAsync(_flip ? _relabeledCatalog : _catalog);
        await WaitForHostAsync(_flip ? "app-0500-v2.example.com" : "app-0500.example.com");
    }

    [Benchmark(Description = "rebuild, one route changed, whole configuration applied to YARP")]
    public async Task RebuildWithOneRouteChanged()
    {
        _flip = !_flip;
        var catalog = CatalogBuilder.Build(_flip ? _relabeled : _snapshot, _catalog, []);
        await _applier.ApplyAsync(catalog);
        await WaitForHostAsync(_flip ? "app-0500-v2.example.com" : "app-0500.example.com");
        _catalog = catalog;
    }

    [Benchmark(Description = "rebuild from nothing (every service decided again, as at start), applied")]
    public async Task<bool> RebuildFromNothing()
    {
        var catalog = CatalogBuilder.Build(_flip ? _changed : _snapshot, ServiceCatalog.Empty, []);
        var changed = (await _applier.ApplyAsync(catalog)).Changed;
        _catalog = catalog;
        return changed;
    }

    [Benchmark(Description = "rebuild, nothing changed (no swap)")]
    public async Task<bool> FullRebuildWithoutChange()
    {
        var catalog = CatalogBuilder.Build(_flip ? _changed : _snapshot, _catalog, []);
        return (await _applier.ApplyAsync(catalog)).Changed;
    }

    private async Task WaitForHostAsync(string host)
    {
        while (!(_state.TryGetRoute("app-0500/default", out var route) && route.Config.Match.Hosts?.Contains(host) == true))
        {
            await Task.Yield();
        }
    }

    /// <summary>YARP applies a new configuration on its own thread: wait until its state has the destination.</summary>
    private async Task WaitForAsync(string destination)
    {
        while (!(_state.TryGetCluster("app-0500", out var cluster) && cluster.Destinations.ContainsKey(destination)))
        {
            await Task.Yield();
        }
    }
}
