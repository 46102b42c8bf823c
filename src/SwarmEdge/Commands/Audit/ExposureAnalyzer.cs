using System.Collections.Immutable;
using System.Globalization;

namespace SwarmEdge.Commands.Audit;

/// <summary>
/// Pure: which ports the swarm exposes, on which nodes, and what SwarmEdge could front instead.
/// The rules of Swarm it encodes: a port published in ingress mode is open on every node (the routing mesh
/// runs everywhere, whether or not the node runs a task of the service); a host-mode port is open only on the
/// nodes that run one of the service's tasks.
/// </summary>
internal static class ExposureAnalyzer
{
    public static ExposureReport Analyze(AuditSnapshot snapshot, EdgeLabel edgeLabel)
    {
        var services = snapshot.Services.OrderBy(s => s.Name, StringComparer.Ordinal).ToImmutableArray();
        var nodes = snapshot.Nodes
            .OrderBy(n => n.Hostname, StringComparer.Ordinal)
            .ThenBy(n => n.Id, StringComparer.Ordinal)
            .ToImmutableArray();

        var ingress = services
            .SelectMany(s => s.Ports
                .Where(p => p.Mode == PublishMode.Ingress && p.PublishedPort > 0)
                .Select(p => new IngressPort(s.Name, p.PublishedPort, p.TargetPort, p.Protocol)))
            .Distinct()
            .OrderBy(p => p.PublishedPort)
            .ThenBy(p => p.Protocol, StringComparer.Ordinal)
            .ToImmutableArray();

        var frontable = services
            .Where(s => string.Equals(s.EndpointMode, "vip", StringComparison.OrdinalIgnoreCase)
                        && !s.Ports.Any(p => p.Mode == PublishMode.Host) && !s.HostNetwork)
            .Select(s => new FrontableService(
                s.Name,
                s.Labels.ContainsKey(LabelKeys.Enable),
                ingress.Where(p => p.Service == s.Name).ToImmutableArray()))
            .ToImmutableArray();

        var edgeNodes = nodes.Where(n => edgeLabel.Matches(n.Labels)).ToImmutableArray();
        var nonEdgeNodes = nodes.Where(n => !edgeLabel.Matches(n.Labels)).ToImmutableArray();

        var hostPortsByNode = HostPortsByNode(snapshot, services);
        var exposed = ImmutableArray.CreateBuilder<NodeExposure>();
        foreach (var node in nonEdgeNodes)
        {
            var ports = ingress
                .Select(p => new NodePort(p.PublishedPort, p.Protocol, p.Service, PublishMode.Ingress))
                .Concat(hostPortsByNode.TryGetValue(node.Id, out var host) ? host : [])
                .Distinct()
                .OrderBy(p => p.Port)
                .ThenBy(p => p.Protocol, StringComparer.Ordinal)
                .ThenBy(p => p.Service, StringComparer.Ordinal)
                .ToImmutableArray();
            if (!ports.IsEmpty)
            {
                exposed.Add(new NodeExposure(node, ports));
            }
        }

        return new ExposureReport(
            edgeLabel,
            services.Length,
            ingress,
            frontable,
            edgeNodes,
            nonEdgeNodes,
            exposed.ToImmutable(),
            PortsToClose(exposed),
            Replacements(services),
            HostNetworkOnEdgeNodes(snapshot, services, edgeNodes));
    }

    /// <summary>
    /// A task on an edge node's host network sees that node's traffic, the floating IP's VRRP adverts and their
    /// password included, and can answer ARP for the floating IPs: an operator should find there only the edge's
    /// own keepalived.
    /// </summary>
    private static ImmutableArray<HostNetworkService> HostNetworkOnEdgeNodes(AuditSnapshot snapshot, ImmutableArray<AuditService> services,
        ImmutableArray<AuditNode> edgeNodes)
    {
        var edgeHostnames = edgeNodes.ToDictionary(n => n.Id, n => n.Hostname, StringComparer.Ordinal);
        return [.. services
            .Where(s => s.HostNetwork)
            .Select(s => new HostNetworkService(s.Name, [.. snapshot.Tasks
                .Where(t => t.ServiceId == s.Id && edgeHostnames.ContainsKey(t.NodeId))
                .Select(t => edgeHostnames[t.NodeId])
                .Distinct()
                .Order(StringComparer.Ordinal)]))
            .Where(s => !s.Nodes.IsEmpty)];
    }

    /// <summary>For every routing-mesh port, the SwarmEdge labels that route it instead (what convert would write).</summary>
    private static ImmutableArray<PortReplacement> Replacements(ImmutableArray<AuditService> services) =>
        [.. services.SelectMany(s =>
        {
            var ports = s.Ports.Where(p => p.Mode == PublishMode.Ingress && p.PublishedPort > 0).ToList();
            var plan = Convert.PortPlan.For(s.Name,
                ports.Select(p => new Convert.ComposePort(p.TargetPort.ToString(CultureInfo.InvariantCulture),
                    p.PublishedPort.ToString(CultureInfo.InvariantCulture), p.Protocol, true, null)).ToList(),
                s.Labels);
            return ports.Zip(plan, (p, a) => new PortReplacement(s.Name, p.PublishedPort, p.TargetPort, p.Protocol, a.Describe()));
        })];

    /// <summary>
    /// Host-mode ports per node, from the tasks that run there. A task that has started reports the ports Docker
    /// bound (including a published port Docker picked); one that has not yet falls back to its service's spec.
    /// </summary>
    private static Dictionary<string, List<NodePort>> HostPortsByNode(AuditSnapshot snapshot, ImmutableArray<AuditService> services)
    {
        var byId = services.ToDictionary(s => s.Id, StringComparer.Ordinal);
        var result = new Dictionary<string, List<NodePort>>(StringComparer.Ordinal);
        foreach (var task in snapshot.Tasks)
        {
            if (task.NodeId.Length == 0 || !byId.TryGetValue(task.ServiceId, out var service))
            {
                continue;
            }

            var fromStatus = task.PortStatus.Where(p => p.Mode == PublishMode.Host && p.PublishedPort > 0).ToList();
            var ports = fromStatus.Count > 0
                ? fromStatus
                : service.Ports.Where(p => p.Mode == PublishMode.Host && p.PublishedPort > 0).ToList();
            if (ports.Count == 0)
            {
                continue;
            }

            if (!result.TryGetValue(task.NodeId, out var list))
            {
                result[task.NodeId] = list = [];
            }

            list.AddRange(ports.Select(p => new NodePort(p.PublishedPort, p.Protocol, service.Name, PublishMode.Host)));
        }

        return result;
    }

    /// <summary>
    /// One entry per port and protocol over all exposed nodes. The same rule set is meant for every non-edge
    /// node: a host-mode task can be rescheduled to any of them, and closing a port nothing publishes is harmless.
    /// </summary>
    private static ImmutableArray<PortToClose> PortsToClose(IEnumerable<NodeExposure> exposed)
    {
        var all = exposed.SelectMany(e => e.Ports.Select(p => (Port: p, Node: e.Node.Hostname))).ToList();
        return all
            .GroupBy(x => (x.Port.Port, x.Port.Protocol))
            .OrderBy(g => g.Key.Port)
            .ThenBy(g => g.Key.Protocol, StringComparer.Ordinal)
            .Select(g =>
            {
                var ingress = g.Any(x => x.Port.Mode == PublishMode.Ingress);
                return new PortToClose(
                    g.Key.Port,
                    g.Key.Protocol,
                    g.Select(x => x.Port.Service).Distinct().Order(StringComparer.Ordinal).ToImmutableArray(),
                    ingress ? PublishMode.Ingress : PublishMode.Host,
                    ingress ? [] : g.Select(x => x.Node).Distinct().Order(StringComparer.Ordinal).ToImmutableArray());
            })
            .ToImmutableArray();
    }
}
