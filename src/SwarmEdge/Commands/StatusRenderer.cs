using System.Globalization;
using System.Text;
using SwarmEdge.Admin;

namespace SwarmEdge.Commands;

/// <summary>
/// swarmedge status's text (pure): the edge's state, then one line per service (routed or not, endpoints, routes),
/// then every error and warning under its service. Services with errors come first: that is what one looks for.
/// </summary>
internal static class StatusRenderer
{
    public static string Render(AdminApi.ServicesDocument document, DateTimeOffset now, string? service = null)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"edge:         {(document.Ready ? "ready" : "not ready (no full read of the swarm yet)")}");
        var docker = document.DockerError is { } error ? $"FAILING: {error} (serving the last good routes)" : $"last read {Ago(document.LastReadAt, now)}";
        text.AppendLine(CultureInfo.InvariantCulture, $"docker api:   {document.DockerEndpoint ?? "-"}, {docker}");
        if (document.RoutesFile is { } file)
        {
            var read = file.Error is { } fileError ? $"FAILING: {fileError} (serving the last good file)" : $"read {Ago(file.ReadAt, now)}";
            text.AppendLine(CultureInfo.InvariantCulture, $"routes file:  {file.Path}, {file.Services} services, {read}");
        }

        var services = document.Services
            .Where(s => service is null || s.Name == service)
            .OrderBy(s => s.Errors.Count == 0)
            .ThenBy(s => s.Name, StringComparer.Ordinal)
            .ToList();
        var routed = document.Services.Count(s => s.Routed);
        text.AppendLine(CultureInfo.InvariantCulture,
            $"services:     {document.Services.Count} ({routed} routed, {document.Services.Count(s => s.Errors.Count > 0)} with errors, {document.Services.Count(s => s.Routed && s.Endpoints.Count == 0)} routed without endpoints)");
        text.AppendLine();

        var width = Math.Max(7, services.Select(s => s.Name.Length).DefaultIfEmpty(0).Max());
        text.AppendLine(CultureInfo.InvariantCulture, $"{"SERVICE".PadRight(width)}  {"STATE",-10}  {"ENDPOINTS",9}  ROUTES");
        foreach (var s in services)
        {
            var state = !s.Routed ? "unrouted" : s.UsesLastGoodRouting ? "last-good" : s.Endpoints.Count == 0 ? "no-tasks" : "serving";
            var routes = string.Join(", ", s.Routes.Select(Describe).Concat(s.TcpRoutes.Select(t => $"tcp :{t.Entrypoint} -> {t.Port}")));
            text.AppendLine(CultureInfo.InvariantCulture, $"{s.Name.PadRight(width)}  {state,-10}  {s.Endpoints.Count,9}  {(routes.Length > 0 ? routes : "-")}");
        }

        foreach (var s in services.Where(s => s.Errors.Count > 0 || s.Warnings.Count > 0 || s.DnsError is not null || service is not null))
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"{s.Name}:");
            foreach (var endpoint in service is null ? [] : s.Endpoints)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  endpoint {endpoint.Task} on {(endpoint.Node.Length > 0 ? endpoint.Node : "-")}: {endpoint.Url}");
            }

            foreach (var e in s.Errors)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  error: {e}");
            }

            foreach (var w in s.Warnings)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  warning: {w}");
            }

            if (s.DnsError is { } dns)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  dns: {dns}");
            }
        }

        return text.ToString();
    }

    private static string Describe(AdminApi.RouteDocument route)
    {
        var hosts = route.Hosts.Count > 0 ? string.Join('|', route.Hosts) : "*";
        var path = route.Path is null ? "" : route.ExactPath ? $"={route.Path}" : route.Path;
        var methods = route.Methods.Count > 0 ? $" [{string.Join(',', route.Methods)}]" : "";
        return $"{hosts}{path}{methods}";
    }

    private static string Ago(DateTimeOffset? at, DateTimeOffset now) => at is { } t
        ? (now - t) switch
        {
            var d when d < TimeSpan.FromSeconds(1) => "just now",
            var d when d < TimeSpan.FromMinutes(2) => $"{d.TotalSeconds:0} s ago",
            var d when d < TimeSpan.FromHours(2) => $"{d.TotalMinutes:0} min ago",
            var d => $"{d.TotalHours:0} h ago",
        }
        : "never";
}
