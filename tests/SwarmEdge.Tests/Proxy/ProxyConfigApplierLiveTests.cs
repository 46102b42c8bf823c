using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SwarmEdge.Catalog;
using SwarmEdge.Discovery;
using SwarmEdge.Proxy;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;
using static SwarmEdge.Tests.TestData;

namespace SwarmEdge.Tests.Proxy;

/// <summary>
/// The applier against a running YARP (Kestrel on loopback) and real task servers on 127.0.0.2-5: what a change
/// of tasks alone does to YARP's runtime state and to the requests it proxies.
/// </summary>
public sealed class ProxyConfigApplierLiveTests : IAsyncLifetime
{
    private readonly int _port = FreePort();
    private readonly List<WebApplication> _tasks = [];
    private WebApplication _proxy = null!;
    private ProxyConfigApplier _applier = null!;
    private InMemoryConfigProvider _provider = null!;
    private IProxyStateLookup _state = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        foreach (var n in new[] { 2, 3, 4, 5 })
        {
            var task = WebApplication.CreateSlimBuilder();
            task.Logging.ClearProviders();
            task.WebHost.UseUrls($"http://127.0.0.{n}:{_port}");
            var app = task.Build();
            var name = $"task-{n}";
            app.Run(context => context.Response.WriteAsync(name));
            await app.StartAsync();
            _tasks.Add(app);
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton(Options.Create(new SwarmEdgeOptions()));
        builder.Services.AddSwarmEdgeProxy();
        _proxy = builder.Build();
        _proxy.MapSwarmEdgeProxy();
        await _proxy.StartAsync();
        _applier = _proxy.Services.GetRequiredService<ProxyConfigApplier>();
        _provider = _proxy.Services.GetRequiredService<InMemoryConfigProvider>();
        _state = _proxy.Services.GetRequiredService<IProxyStateLookup>();
        _client = new HttpClient { BaseAddress = new Uri(_proxy.Urls.First()) };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _proxy.DisposeAsync();
        foreach (var task in _tasks)
        {
            await task.DisposeAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }

    private OptedInService Web(string host = "web.example.com") =>
        Service("web", Routed(("swarmedge.http.port", $"{_port}"), ("swarmedge.http.host", host)));

    private static ServiceCatalog Catalog(IEnumerable<OptedInService> services, params SwarmTask[] tasks) =>
        CatalogBuilder.Build(Snapshot(services, tasks), ServiceCatalog.Empty, [], policy: OpenPolicy);

    private static SwarmTask TaskOn(string id, int n) => TaskAt(id, "svc-web", $"127.0.0.{n}");

    private ClusterState Cluster() => _state.TryGetCluster("web", out var cluster) ? cluster : throw new InvalidOperationException("no cluster web");

    /// <summary>The tasks that answer 40 requests through the proxy.</summary>
    private async Task<string[]> AnswersAsync(string host = "web.example.com")
    {
        var seen = new HashSet<string>();
        for (var i = 0; i < 40; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = host } };
            using var response = await _client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            seen.Add(await response.Content.ReadAsStringAsync());
        }

        return [.. seen.Order()];
    }

    [Fact]
    public async Task A_replaced_task_is_put_into_the_running_cluster_without_a_new_configuration()
    {
        await _applier.ApplyAsync(Catalog([Web()], TaskOn("t1", 2), TaskOn("t2", 3)));
        Assert.Equal(["task-2", "task-3"], await AnswersAsync());
        var config = _provider.GetConfig();
        var kept = Cluster().Destinations["t1"];

        var result = await _applier.ApplyAsync(Catalog([Web()], TaskOn("t1", 2), TaskOn("t3", 4)));

        Assert.True(result.Changed);
        Assert.Equal(("web", "t2"), Assert.Single(result.DepartedTasks));
        Assert.Same(config, _provider.GetConfig());
        Assert.False(config.ChangeToken.HasChanged);
        Assert.Equal(["t1", "t3"], Cluster().Destinations.Keys.Order());
        Assert.Same(kept, Cluster().Destinations["t1"]);
        Assert.Equal(["task-2", "task-4"], await AnswersAsync());
    }

    [Fact]
    public async Task The_next_change_of_routes_brings_the_configuration_up_to_date_and_keeps_the_tasks_state()
    {
        await _applier.ApplyAsync(Catalog([Web()], TaskOn("t1", 2), TaskOn("t2", 3)));
        await _applier.ApplyAsync(Catalog([Web()], TaskOn("t1", 2), TaskOn("t3", 4)));
        var kept = Cluster().Destinations["t3"];

        var result = await _applier.ApplyAsync(Catalog([Web("shop.example.com")], TaskOn("t1", 2), TaskOn("t3", 4), TaskOn("t4", 5)));

        Assert.True(result.Changed);
        var config = _provider.GetConfig();
        Assert.Equal(["t1", "t3", "t4"], Assert.Single(config.Clusters).Destinations!.Keys.Order());
        Assert.Equal(["t1", "t3", "t4"], Cluster().Destinations.Keys.Order());
        Assert.Same(kept, Cluster().Destinations["t3"]);
        Assert.Equal(["task-2", "task-4", "task-5"], await AnswersAsync("shop.example.com"));
    }

    [Fact]
    public async Task A_task_whose_address_changed_is_a_new_destination()
    {
        await _applier.ApplyAsync(Catalog([Web()], TaskOn("t1", 2)));
        var before = Cluster().Destinations["t1"];

        await _applier.ApplyAsync(Catalog([Web()], TaskOn("t1", 3)));

        Assert.NotSame(before, Cluster().Destinations["t1"]);
        Assert.Equal($"http://127.0.0.3:{_port}/", Cluster().Destinations["t1"].Model.Config.Address);
        Assert.Equal(["task-3"], await AnswersAsync());
    }
}
