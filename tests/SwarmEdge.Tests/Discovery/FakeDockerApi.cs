using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SwarmEdge.Tests.Discovery;

/// <summary>
/// A Docker Engine API on a loopback port that lists one swarm's services, tasks, networks and nodes in
/// Docker's JSON, for tests of the discovery loop over real HTTP and Docker.DotNet. Requests can be held
/// (a manager that is slow to answer) or failed with a 500.
/// </summary>
internal sealed class FakeDockerApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private volatile TaskCompletionSource _gate = Open();
    private int _held;
    private int _answered;

    private FakeDockerApi(WebApplication app) => _app = app;

    public string Endpoint { get; private set; } = "";

    /// <summary>Tasks as (ID, address on the "edge" network); the one service is "web" on port 8080.</summary>
    public volatile (string Id, string Address)[] Tasks = [];

    public volatile bool Failing;

    /// <summary>Requests waiting on Hold right now.</summary>
    public int Held => Volatile.Read(ref _held);

    /// <summary>Requests answered so far.</summary>
    public int Answered => Volatile.Read(ref _answered);

    public static async Task<FakeDockerApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var api = new FakeDockerApi(app);
        app.Run(api.AnswerAsync);
        await app.StartAsync();
        api.Endpoint = $"tcp://127.0.0.1:{new Uri(app.Urls.Single()).Port}";
        return api;
    }

    /// <summary>From now on, requests wait until Release.</summary>
    public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _gate.TrySetResult();

    private async Task AnswerAsync(HttpContext context)
    {
        var gate = _gate.Task;
        if (!gate.IsCompleted)
        {
            Interlocked.Increment(ref _held);
            try
            {
                await gate.WaitAsync(context.RequestAborted);
            }
            finally
            {
                Interlocked.Decrement(ref _held);
            }
        }

        if (Failing)
        {
            context.Response.StatusCode = 500;
            await context.Response.WriteAsJsonAsync(new { message = "the fake manager fails" });
            return;
        }

        var path = context.Request.Path.Value ?? "";
        object body = path switch
        {
            _ when path.EndsWith("/services", StringComparison.Ordinal) => new[] { Service },
            _ when path.EndsWith("/tasks", StringComparison.Ordinal) => Tasks.Select(Task).ToArray(),
            _ when path.EndsWith("/networks", StringComparison.Ordinal) => new[] { new { ID = "net-edge", Name = "edge", Scope = "swarm" } },
            _ when path.EndsWith("/nodes", StringComparison.Ordinal) => new[] { new { ID = "node-1", Description = new { Hostname = "node-1" }, Status = new { State = "ready" } } },
            _ => new { message = $"no route for {path}" },
        };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(body));
        Interlocked.Increment(ref _answered);
    }

    private static readonly object Service = new
    {
        ID = "svc-web",
        CreatedAt = "2026-12-02T12:00:00Z",
        Spec = new
        {
            Name = "web",
            Labels = new Dictionary<string, string>
            {
                ["swarmedge.enable"] = "true",
                ["swarmedge.http.port"] = "8080",
                ["swarmedge.http.host"] = "web.example.com",
            },
            EndpointSpec = new { Mode = "dnsrr" },
            TaskTemplate = new { Networks = new[] { new { Target = "net-edge" } } },
            Mode = new { Replicated = new { Replicas = 2 } },
        },
    };

    private static object Task((string Id, string Address) task) => new
    {
        ID = task.Id,
        ServiceID = "svc-web",
        NodeID = "node-1",
        DesiredState = "running",
        Status = new { State = "running" },
        NetworksAttachments = new[] { new { Network = new { ID = "net-edge" }, Addresses = new[] { task.Address + "/24" } } },
    };

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource();
        open.SetResult();
        return open;
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        await _app.DisposeAsync();
    }
}
