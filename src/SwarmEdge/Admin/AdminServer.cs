using System.Net;
using Microsoft.Extensions.Options;
using Prometheus;

namespace SwarmEdge.Admin;

/// <summary>
/// The admin API on its own port, never on the proxy port: /healthz, /readyz, /metrics, /api/services,
/// /api/certificates, /api/acme, and the dashboard (/dashboard/ and the /api/dashboard/ documents it reads).
/// A separate Kestrel instance, so no proxied Host header can ever reach these endpoints. With a token
/// (SwarmEdge:Admin:TokenFile) every path but the probes needs it; the probes then say only ready or not.
/// SwarmEdge:Admin:ProbePort adds a listener on every address with the probes alone, never a reason. The
/// dashboard's page and script hold no data and load without the token; the documents they read need it.
/// </summary>
internal sealed partial class AdminServer(
    EdgeStatus status,
    Shutdown.ShutdownGrace shutdown,
    Tls.CertificateStore certificates,
    Acme.StoredCertificateWatcher acme,
    Dashboard.TrafficHistory traffic,
    Discovery.SwarmEventLog events,
    Discovery.TaskHistory tasks,
    Proxy.NodeReachability nodes,
    Yarp.ReverseProxy.IProxyStateLookup proxyState,
    TimeProvider time,
    IOptions<SwarmEdgeOptions> options,
    ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var admin = options.Value.Admin;
        var token = string.IsNullOrWhiteSpace(admin.TokenFile) ? AdminToken.None : AdminToken.FromFile(admin.TokenFile);
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
            if (admin.ProbePort > 0)
            {
                k.Listen(IPAddress.Any, admin.ProbePort);
            }
        });

        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            var probe = path == "/healthz" || path == "/readyz";
            var page = path.StartsWithSegments("/dashboard") && HttpMethods.IsGet(context.Request.Method);
            context.Response.Headers.XContentTypeOptions = "nosniff";
            if (IsProbePort(context))
            {
                if (!probe || !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return;
                }
            }
            else if (!token.Required && !IsLoopbackName(context.Request.Host.Host))
            {
                // Without a token the API answers loopback only; a page in the operator's browser can still point a name
                // of its own at 127.0.0.1 (DNS rebinding): it is refused by its Host.
                context.Response.StatusCode = StatusCodes.Status421MisdirectedRequest;
                return;
            }
            else if (!probe && !page && !(admin.MetricsWithoutToken && path == "/metrics") && !token.Accepts(context.Request.Headers.Authorization))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Bearer";
                return;
            }

            await next(context);
        });
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", (HttpRequest request) =>
        {
            var view = status.Current;
            if (shutdown.IsDraining)
            {
                return Results.Text("not ready: draining before a stop\n", statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            if (view.Ready)
            {
                return Results.Text("ready\n");
            }

            // Docker's errors name internal addresses: only for callers that hold the token.
            var reason = !IsProbePort(request.HttpContext) && token.Accepts(request.Headers.Authorization)
                ? $": no successful read of the swarm yet ({view.DockerError ?? "first read in progress"})"
                : "";
            return Results.Text($"not ready{reason}\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        app.MapGet("/api/services", () => Results.Json(AdminApi.Services(status.Current), SwarmEdgeJsonContext.Default.ServicesDocument));
        app.MapGet("/api/certificates", () => Results.Json(certificates.Status, SwarmEdgeJsonContext.Default.IReadOnlyListCertificateStatus));
        app.MapGet("/api/acme", () => Results.Json(acme.Status, SwarmEdgeJsonContext.Default.IReadOnlyListAcmeHostStatus));
        app.MapMetrics("/metrics");
        Dashboard.DashboardEndpoints.Map(app, status, traffic, events, tasks, nodes, proxyState, time);

        await app.StartAsync(cancellationToken);
        _app = app;
        Log.Listening(loggerFactory.CreateLogger<AdminServer>(), $"{admin.Address}:{admin.Port}",
            token.Required ? "bearer token required" : "no token: loopback only");
        if (admin.ProbePort > 0)
        {
            Log.ProbesListening(loggerFactory.CreateLogger<AdminServer>(), admin.ProbePort);
        }

        bool IsProbePort(HttpContext context) => admin.ProbePort > 0 && context.Connection.LocalPort == admin.ProbePort;

        static bool IsLoopbackName(string host) =>
            host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
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
        [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Admin API listening on {Address} ({Access})")]
        public static partial void Listening(ILogger logger, string address, string access);

        [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "Probes (/healthz, /readyz) listening on 0.0.0.0:{Port}")]
        public static partial void ProbesListening(ILogger logger, int port);
    }
}
