using System.Collections.Immutable;
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SwarmEdge.Admin;
using SwarmEdge.Discovery;
using SwarmEdge.Proxy;
using Yarp.ReverseProxy.Configuration;

namespace SwarmEdge.Tests.Discovery;

/// <summary>
/// The discovery loop with its real reader, appliers and status, reading a Docker API over HTTP (FakeDockerApi),
/// and DNS answers pushed as the watcher pushes them.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class DiscoveryLoopTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private FakeDockerApi _api = null!;
    private ServiceProvider _services = null!;
    private DiscoveryLoop _loop = null!;

    private DiscoverySignals Signals => _services.GetRequiredService<DiscoverySignals>();

    private EdgeStatus.View Status => _services.GetRequiredService<EdgeStatus>().Current;

    public async Task InitializeAsync()
    {
        _api = await FakeDockerApi.StartAsync();
        _api.Tasks = [("t1", "10.0.1.1"), ("t2", "10.0.1.2")];
        (_services, _loop) = Loop(_ => { });
    }

    private (ServiceProvider Services, DiscoveryLoop Loop) Loop(Action<SwarmEdgeOptions> configure)
    {
        var options = new SwarmEdgeOptions();
        options.Docker.Endpoints.Add(_api.Endpoint);
        options.Docker.RequestTimeout = TimeSpan.FromSeconds(30);
        options.Discovery.RetryInterval = TimeSpan.FromMilliseconds(300);
        configure(options);
        options.ApplyDefaults();
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(Options.Create(options))
            .AddSwarmEdgeProxy()
            .AddSingleton<DockerApi>()
            .AddSingleton<SwarmReader>()
            .AddSingleton<DiscoverySignals>()
            .AddSingleton<ServicesToResolve>()
            .AddSingleton<EdgeStatus>()
            .AddSingleton<DiscoveryLoop>()
            .BuildServiceProvider();
        return (services, services.GetRequiredService<DiscoveryLoop>());
    }

    private string[] Destinations() =>
        _services.GetRequiredService<InMemoryConfigProvider>().GetConfig().Clusters.SingleOrDefault(c => c.ClusterId == "web")
            ?.Destinations?.Keys.Order(StringComparer.Ordinal).ToArray() ?? [];

    private void Dns(params string[] addresses) =>
        Signals.Send(new DiscoverySignal(DiscoverySignalKind.DnsAnswered, "web", "test",
            new DnsAnswer(true, addresses.Select(IPAddress.Parse).ToImmutableHashSet(), null)));

    [Fact]
    public async Task Starts_unready_reads_the_swarm_and_tells_the_dns_watcher_what_to_resolve()
    {
        Assert.False(Status.Ready);
        await _loop.StartAsync(CancellationToken.None);

        await Eventually.HoldsAsync(() => Status.Ready, Deadline, "ready after the first read");
        Assert.Equal(["t1", "t2"], Destinations());
        Assert.Equal(_api.Endpoint, Status.DockerEndpoint);
        Assert.Null(Status.DockerError);
        Assert.Equal(["web"], _services.GetRequiredService<ServicesToResolve>().Names.Keys);
    }

    [Fact]
    public async Task A_dns_answer_that_drops_a_task_applies_while_a_docker_read_is_in_flight()
    {
        await _loop.StartAsync(CancellationToken.None);
        await Eventually.HoldsAsync(() => Destinations().Length == 2, Deadline, "both tasks routed");
        Dns("10.0.1.1", "10.0.1.2"); // DNS confirms both tasks (and asks for a read of the service)

        // The manager becomes slow; the read that DNS's first answer asked for (or the next) hangs.
        _api.Hold();
        Signals.Send(new DiscoverySignal(DiscoverySignalKind.ServiceRead, "svc-web", "test"));
        await Eventually.HoldsAsync(() => _api.Held > 0, Deadline, "a read waits on the manager");

        var dropped = Stopwatch.StartNew();
        Dns("10.0.1.1");
        await Eventually.HoldsAsync(() => Destinations().SequenceEqual(["t1"]), Deadline, "t2 leaves as DNS stops listing it");
        Assert.True(_api.Held > 0, "the read is still in flight");
        Assert.True(dropped.Elapsed < TimeSpan.FromSeconds(1), $"applied after {dropped.Elapsed.TotalMilliseconds:0} ms");

        // The read finishes with the task list, which no longer holds t2 either.
        _api.Tasks = [("t1", "10.0.1.1")];
        _api.Release();
        await Eventually.HoldsAsync(() => _api.Held == 0, Deadline, "the read is answered");
        Assert.Equal(["t1"], Destinations());
    }

    [Fact]
    public async Task Dns_failures_show_in_the_status_keep_the_endpoints_and_clear_on_recovery()
    {
        await _loop.StartAsync(CancellationToken.None);
        await Eventually.HoldsAsync(() => Destinations().Length == 2, Deadline, "both tasks routed");
        Dns("10.0.1.1", "10.0.1.2");

        Signals.Send(new DiscoverySignal(DiscoverySignalKind.DnsAnswered, "web", "test", DnsAnswer.Failed("timed out")));
        await Eventually.HoldsAsync(() => Status.DnsErrors.GetValueOrDefault("web") == "timed out", Deadline, "the DNS error is published");
        Assert.Equal(["t1", "t2"], Destinations());

        Dns("10.0.1.1", "10.0.1.2");
        await Eventually.HoldsAsync(() => Status.DnsErrors.IsEmpty, Deadline, "the error clears");
        Assert.Equal(["t1", "t2"], Destinations());
    }

    [Fact]
    public async Task A_failing_api_keeps_the_last_good_routes_reports_the_error_and_is_read_again_after_the_retry_interval()
    {
        await _loop.StartAsync(CancellationToken.None);
        await Eventually.HoldsAsync(() => Destinations().Length == 2, Deadline, "both tasks routed");

        _api.Failing = true;
        Signals.Send(new DiscoverySignal(DiscoverySignalKind.FullRead, null, "test"));
        await Eventually.HoldsAsync(() => Status.DockerError is not null, Deadline, "the read's failure is published");
        Assert.Contains("500", Status.DockerError);
        Assert.True(Status.Ready, "ready stays: the last good routes serve");
        Assert.Equal(["t1", "t2"], Destinations());

        _api.Tasks = [("t1", "10.0.1.1"), ("t2", "10.0.1.2"), ("t3", "10.0.1.3")];
        _api.Failing = false;
        await Eventually.HoldsAsync(() => Destinations().Length == 3, Deadline, "the retry reads the third task");
        Assert.Null(Status.DockerError);
    }

    [Fact]
    public async Task With_a_routes_file_nothing_is_built_before_it_was_read_so_its_hosts_are_never_a_swarm_service_s()
    {
        var (services, loop) = Loop(o => o.Discovery.RoutesFile = "/etc/swarmedge/routes.yml");
        await using var _ = services;
        var status = services.GetRequiredService<EdgeStatus>();
        // Every view the loop publishes, as fast as it changes: none may show the swarm's web serving the file's host.
        var views = new List<EdgeStatus.View>();
        using var watching = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            while (!watching.IsCancellationRequested)
            {
                if (views.Count == 0 || !ReferenceEquals(views[^1], status.Current))
                {
                    views.Add(status.Current);
                }

                await Task.Yield();
            }
        });
        await loop.StartAsync(CancellationToken.None);
        try
        {
            // The swarm is read whole first (services, tasks, networks, nodes); the file, claiming web's host, comes after.
            await Eventually.HoldsAsync(() => _api.Answered >= 4, Deadline, "the first read of the swarm answered");
            var file = RoutesFile.Parse("services:\n  erp:\n    addresses: [10.0.5.20]\n    labels:\n      swarmedge.http.port: \"80\"\n      swarmedge.http.host: web.example.com\n");
            services.GetRequiredService<DiscoverySignals>().Send(new DiscoverySignal(DiscoverySignalKind.RoutesFileRead, "/etc/swarmedge/routes.yml", "test", RoutesFile: file));
            await Eventually.HoldsAsync(() => status.Current.Ready, Deadline, "ready once the file was read");
        }
        finally
        {
            await watching.CancelAsync();
            await watcher;
            await loop.StopAsync(CancellationToken.None);
        }

        Assert.DoesNotContain(views, v => v.Catalog.Services.Any(s => s.Name == "web" && !s.Routes.IsEmpty));
        Assert.Single(status.Current.Catalog.Services.Single(s => s.Name == "erp@file").Routes);
    }

    public async Task DisposeAsync()
    {
        await _loop.StopAsync(CancellationToken.None);
        await _api.DisposeAsync();
        await _services.DisposeAsync();
    }
}
