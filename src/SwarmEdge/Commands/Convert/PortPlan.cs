using System.Collections.Immutable;

namespace SwarmEdge.Commands.Convert;

/// <summary>
/// Pure: the SwarmEdge labels that replace a service's routing-mesh ports, used by convert (which writes them)
/// and audit (which shows them). Every port stays reachable: HTTP-looking ports (app_protocol http, or a usual
/// HTTP port) become HTTP routes, the first on swarmedge.http.port and the others on routers of their own port;
/// every other single TCP port becomes a TCP route from an edge entrypoint with the published number (the target
/// when Docker picked the published port); UDP ports and ranges cannot be proxied and stay on the routing mesh.
/// HTTP routes get a host under example.com for the user to replace: without a host a service has no route.
/// Labels the service already has are never replaced.
/// </summary>
internal static class PortPlan
{
    public const string Placeholder = "example.com";

    public static ImmutableArray<PortAssignment> For(string service, IReadOnlyList<ComposePort> ingress, IReadOnlyDictionary<string, string> existing)
    {
        var assignments = ImmutableArray.CreateBuilder<PortAssignment>();
        var hostName = service.ToLowerInvariant().Replace('_', '-');
        var http = 0;
        var tcp = 0;
        var usedRouters = new HashSet<string>(StringComparer.Ordinal);
        foreach (var port in ingress)
        {
            if (port.Protocol != "tcp" || port.IsRange)
            {
                assignments.Add(new PortAssignment(port, PortRoute.RoutingMesh, [], ""));
                continue;
            }

            var entrypoint = port.Published.Length > 0 ? port.Published : port.Target;
            if (port.LooksHttp)
            {
                var labels = http++ == 0
                    ? Missing(existing, (LabelKeys.HttpPort, port.Target), HasHttpRule(existing) ? null : (LabelKeys.HttpHost, $"{hostName}.{Placeholder}"))
                    : Router(LabelKeys.RoutersPrefix, port, usedRouters) is var router
                        ? Missing(existing, ($"{router}.port", port.Target), ($"{router}.host", $"{hostName}-{Suffix(port)}.{Placeholder}"))
                        : [];
                assignments.Add(new PortAssignment(port, PortRoute.Http, labels, entrypoint));
            }
            else
            {
                var labels = tcp++ == 0
                    ? Missing(existing, (LabelKeys.TcpPort, port.Target), (LabelKeys.TcpEntrypoint, entrypoint))
                    : Router(LabelKeys.TcpRoutersPrefix, port, usedRouters) is var router
                        ? Missing(existing, ($"{router}.port", port.Target), ($"{router}.entrypoint", entrypoint))
                        : [];
                assignments.Add(new PortAssignment(port, PortRoute.Tcp, labels, entrypoint));
            }
        }

        return assignments.ToImmutable();
    }

    private static bool HasHttpRule(IReadOnlyDictionary<string, string> existing) =>
        existing.ContainsKey(LabelKeys.HttpHost) || existing.ContainsKey(LabelKeys.HttpPath);

    private static ImmutableArray<(string Key, string Value)> Missing(IReadOnlyDictionary<string, string> existing, params (string Key, string Value)?[] labels) =>
        [.. labels.OfType<(string Key, string Value)>().Where(l => !existing.ContainsKey(l.Key))];

    /// <summary>"swarmedge.http.routers.port-8081", named by the target port ("port-var" for a variable), unique.</summary>
    private static string Router(string prefix, ComposePort port, HashSet<string> used)
    {
        var name = $"{prefix}port-{Suffix(port)}";
        var candidate = name;
        for (var i = 2; !used.Add(candidate); i++)
        {
            candidate = $"{name}-{i}";
        }

        return candidate;
    }

    private static string Suffix(ComposePort port) =>
        port.TargetNumber is { } n ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : "var";
}
