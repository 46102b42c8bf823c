using System.Net;
using Microsoft.Extensions.Options;
using Prometheus;
using SwarmEdge.Discovery;

namespace SwarmEdge.Admin;

/// <summary>
/// The admin API on its own port, never on the proxy port: /healthz, /readyz, /metrics, /api/services.
/// A separate Kestrel instance, so no proxied Host header can ever reach these endpoints.
/// </summary>
internal sealed partial class AdminServer(
    EdgeStatus status,
    TaskDnsWatcher dns,
    DockerApi docker,
    IOptions<SwarmEdgeOptions> options,
    ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var admin = options.Value.Admin;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        // The main host already says it started; the admin host logs its address below.
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Parse(admin.Address), admin.Port);
        });

        var app = builder.Build();
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", () =>
        {
            var view = status.Current;
            return view.Ready
                ? Results.Text("ready\n")
                : Results.Text($"not ready: no successful read of the swarm yet ({view.DockerError ?? "first read in progress"})\n",
                    statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        app.MapGet("/api/services", () => Results.Json(AdminApi.Services(status.Current, dns.Failures, docker.CurrentEndpoint)));
        app.MapMetrics("/metrics");

        await app.StartAsync(cancellationToken);
        _app = app;
        Log.Listening(loggerFactory.CreateLogger<AdminServer>(), $"{admin.Address}:{admin.Port}");
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Admin API listening on {Address}")]
        public static partial void Listening(ILogger logger, string address);
    }
}
