using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SwarmEdge.Proxy;
using Yarp.ReverseProxy.Configuration;

namespace SwarmEdge.Tests.Proxy;

/// <summary>
/// The proxy as SwarmEdge maps it, on Kestrel on loopback with a real task server on 127.0.0.2: what runs in
/// front of every request, and what a route asking for ASP.NET Core authorization gets without its middleware.
/// </summary>
public sealed class ProxyServiceCollectionExtensionsTests : IAsyncLifetime
{
    private readonly TaskCompletionSource<string[]> _itemKeys = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _taskRequests;
    private WebApplication _task = null!;
    private WebApplication _proxy = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var task = WebApplication.CreateSlimBuilder();
        task.Logging.ClearProviders();
        task.WebHost.UseUrls("http://127.0.0.2:0");
        _task = task.Build();
        _task.Run(context =>
        {
            Interlocked.Increment(ref _taskRequests);
            return context.Response.WriteAsync("task");
        });
        await _task.StartAsync();

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton(Options.Create(new SwarmEdgeOptions()));
        builder.Services.AddSwarmEdgeProxy();
        _proxy = builder.Build();
        // Runs after whatever WebApplication puts in front of the application's own middlewares.
        _proxy.Use(async (context, next) =>
        {
            await next(context);
            _itemKeys.TrySetResult([.. context.Items.Keys.Select(k => k.ToString()!)]);
        });
        _proxy.MapSwarmEdgeProxy();
        await _proxy.StartAsync();
        _client = new HttpClient { BaseAddress = new Uri(_proxy.Urls.First()) };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _proxy.DisposeAsync();
        await _task.DisposeAsync();
    }

    private void Route(string? authorizationPolicy) =>
        _proxy.Services.GetRequiredService<InMemoryConfigProvider>().Update(
            [new RouteConfig { RouteId = "web/default", ClusterId = "web", AuthorizationPolicy = authorizationPolicy, Match = new RouteMatch { Path = "/{**catch-all}" } }],
            [new ClusterConfig { ClusterId = "web", Destinations = new Dictionary<string, DestinationConfig> { ["t1"] = new() { Address = _task.Urls.First() } } }]);

    [Fact]
    public async Task A_proxied_request_does_not_pass_through_the_authorization_middleware()
    {
        Route(authorizationPolicy: null);

        using var response = await _client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("task", await response.Content.ReadAsStringAsync());
        // The authorization middleware marks every request it saw with an endpoint in the request's items.
        Assert.Empty(await _itemKeys.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_route_that_asks_for_authorization_is_refused_not_served_without_it()
    {
        Route(authorizationPolicy: "Default");

        using var response = await _client.GetAsync("/");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(0, Volatile.Read(ref _taskRequests));
    }
}
