using System.Reflection;
using SwarmEdge.Catalog;
using SwarmEdge.Discovery;
using SwarmEdge.Proxy;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace SwarmEdge.Admin.Dashboard;

/// <summary>
/// The dashboard on the admin API: its page, script and style (embedded in the binary, no CDN), and the documents
/// they read, every second for the open view. The page puts every value into the document as text (never as
/// markup) and the Content-Security-Policy allows no script but its own: a label is written by whoever deploys a
/// service, and the page shows labels.
/// </summary>
internal static class DashboardEndpoints
{
    private const string Policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
                                  "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private static readonly Dictionary<string, (string Resource, string ContentType)> Assets = new(StringComparer.Ordinal)
    {
        ["/dashboard/"] = ("index.html", "text/html; charset=utf-8"),
        ["/dashboard/app.js"] = ("app.js", "text/javascript; charset=utf-8"),
        ["/dashboard/app.css"] = ("app.css", "text/css; charset=utf-8"),
    };

    public static void Map(
        WebApplication app, EdgeStatus status, TrafficHistory traffic, SwarmEventLog events, TaskHistory tasks,
        NodeReachability nodes, IProxyStateLookup proxyState, TimeProvider time)
    {
        foreach (var (path, (resource, contentType)) in Assets)
        {
            var bytes = Read(resource);
            app.MapGet(path, (HttpContext context) =>
            {
                // Routing takes /dashboard for /dashboard/; the page's relative links need the slash.
                if (!context.Request.Path.Value!.EndsWith('/') && path.EndsWith('/'))
                {
                    return Results.Redirect("/dashboard/");
                }

                context.Response.Headers.ContentSecurityPolicy = Policy;
                context.Response.Headers.XFrameOptions = "DENY";
                context.Response.Headers["Referrer-Policy"] = "no-referrer";
                context.Response.Headers.CacheControl = "no-cache";
                return Results.Bytes(bytes, contentType);
            });
        }

        app.MapGet("/api/dashboard/summary", () => Results.Json(DashboardApi.Summary(status.Current, traffic.Samples(), nodes.Nodes), SwarmEdgeJsonContext.Default.SummaryDocument));
        app.MapGet("/api/dashboard/services", (string? q, int? page, int? size) =>
            Results.Json(DashboardApi.Services(status.Current, traffic.Samples(), q, page ?? 1, size ?? 50), SwarmEdgeJsonContext.Default.ServicePage));
        app.MapGet("/api/dashboard/services/{name}", (string name) =>
            DashboardApi.Service(status.Current, name, (s, e) => HealthOf(proxyState, s, e), events.Snapshot()) is { } service
                ? Results.Json(service, SwarmEdgeJsonContext.Default.DashboardServiceDocument)
                : Results.NotFound());
        app.MapGet("/api/dashboard/services/{name}/tasks", async (string name, CancellationToken ct) =>
        {
            var view = status.Current;
            if (view.Catalog.Services.FirstOrDefault(s => s.Name == name) is not { } service)
            {
                return Results.NotFound();
            }

            if (service.NetworkId == RoutesFile.Network)
            {
                return Results.Json(new DashboardApi.TasksDocument(name, 0, []), SwarmEdgeJsonContext.Default.TasksDocument);
            }

            try
            {
                return Results.Json(DashboardApi.Tasks(name, await tasks.OfAsync(service.Id, ct), view.Nodes, time.GetUtcNow()), SwarmEdgeJsonContext.Default.TasksDocument);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                return Results.Json(new DashboardApi.ErrorDocument($"the Docker API did not give the task history: {DockerApi.Describe(ex)}"), SwarmEdgeJsonContext.Default.ErrorDocument, statusCode: StatusCodes.Status502BadGateway);
            }
        });
        app.MapGet("/api/dashboard/traffic", (string? q, int? size) => Results.Json(DashboardApi.Traffic(traffic.Samples(), q, size ?? 50), SwarmEdgeJsonContext.Default.TrafficDocument));
        app.MapGet("/api/dashboard/events", (string? service, int? limit) =>
        {
            var all = events.Snapshot();
            return Results.Json(all.Where(e => service is null || e.Service == service).Reverse().Take(Math.Clamp(limit ?? 200, 1, SwarmEventLog.Capacity)), SwarmEdgeJsonContext.Default.IEnumerableSwarmEventEntry);
        });
    }

    private static DashboardApi.EndpointHealth HealthOf(IProxyStateLookup proxyState, CatalogService service, TaskEndpoint endpoint) =>
        service.Routing is { IsHttp: true }
        && proxyState.TryGetCluster(ProxyConfigBuilder.ClusterId(service, endpoint.Port), out var cluster)
        && cluster.Destinations.TryGetValue(endpoint.TaskId, out var destination)
            ? new(Name(destination.Health.Active), Name(destination.Health.Passive), destination.ConcurrentRequestCount)
            : new("n/a", "n/a", 0);

    private static string Name(DestinationHealth health) => health.ToString().ToLowerInvariant();

    private static byte[] Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"SwarmEdge.Dashboard.{name}")
            ?? throw new InvalidOperationException($"the dashboard's {name} is not embedded in the binary");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
