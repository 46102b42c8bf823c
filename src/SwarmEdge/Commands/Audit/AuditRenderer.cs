using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SwarmEdge.Commands.Audit;

/// <summary>Pure: the report as text for a person or as JSON for a script. Both carry the same rules text.</summary>
internal static class AuditRenderer
{
    public static string Text(ExposureReport report, string endpoint)
    {
        var text = new StringBuilder();
        text.AppendLine($"SwarmEdge audit of the swarm at {endpoint}: {Count(report.EdgeNodes.Length + report.NonEdgeNodes.Length, "node")}, {Count(report.ServiceCount, "service")}");
        text.AppendLine();

        text.AppendLine("Ports published through the routing mesh (ingress mode): open on EVERY node");
        if (report.IngressPorts.IsEmpty)
        {
            text.AppendLine("  none");
        }
        else
        {
            Table(text, ["SERVICE", "PUBLISHED", "TARGET", "PROTOCOL", "BEHIND SWARMEDGE (LABELS)"],
                report.IngressPorts.Select(p => new[]
                {
                    p.Service, p.PublishedPort.ToString(), p.TargetPort.ToString(), p.Protocol,
                    report.Replacements.FirstOrDefault(r => r.Service == p.Service && r.PublishedPort == p.PublishedPort && r.Protocol == p.Protocol)?.Labels ?? "-",
                }));
        }

        text.AppendLine();
        text.AppendLine("Services in vip mode that SwarmEdge could front instead (no host-mode ports)");
        if (report.Frontable.IsEmpty)
        {
            text.AppendLine("  none");
        }
        else
        {
            Table(text, ["SERVICE", "SWARMEDGE.ENABLE", "ROUTING-MESH PORTS"],
                report.Frontable.Select(f => new[]
                {
                    f.Name,
                    f.OptedIn ? "already set" : "-",
                    f.IngressPorts.IsEmpty ? "-" : string.Join(", ", f.IngressPorts.Select(p => $"{p.PublishedPort}->{p.TargetPort}/{p.Protocol}")),
                }));
        }

        text.AppendLine();
        text.AppendLine($"Edge nodes (node label {report.EdgeLabel}): "
                        + (report.EdgeNodes.IsEmpty ? "none" : string.Join(", ", report.EdgeNodes.Select(Describe))));
        text.AppendLine("Nodes that publish ports without being edge nodes");
        if (report.ExposedNodes.IsEmpty)
        {
            text.AppendLine("  none");
        }
        else
        {
            foreach (var exposure in report.ExposedNodes)
            {
                text.AppendLine($"  {Describe(exposure.Node)}: "
                                + string.Join(", ", exposure.Ports.Select(p => $"{p.Port}/{p.Protocol} ({p.Service}, {Mode(p.Mode)})")));
            }
        }

        text.AppendLine("Services on the host network of edge nodes (they see the node's traffic and can answer for a floating IP; only edge-ha.yml's keepalived belongs here)");
        text.AppendLine(report.HostNetworkOnEdgeNodes.IsEmpty
            ? "  none"
            : string.Join(Environment.NewLine, report.HostNetworkOnEdgeNodes.Select(s => $"  {s.Service}: {string.Join(", ", s.Nodes)}")));

        var rules = FirewallRuleRenderer.Render(report);
        if (rules.Length > 0)
        {
            text.AppendLine();
            text.AppendLine("iptables rules that close these ports on the non-edge nodes:");
            text.Append(rules);
        }

        text.AppendLine();
        text.AppendLine(report.Exposed
            ? "Result: exposed ports found. Move the services behind SwarmEdge (swarmedge convert rewrites a stack file) or firewall them."
            : "Result: nothing is exposed outside the edge nodes.");
        return text.ToString();
    }

    public static string JsonText(ExposureReport report, string endpoint)
    {
        var document = new AuditDocument(
            endpoint,
            report.Exposed,
            report.EdgeLabel.ToString(),
            report.IngressPorts,
            report.Frontable,
            [.. report.EdgeNodes.Select(NodeDocument.Of)],
            [.. report.ExposedNodes.Select(e => new NodeExposureDocument(NodeDocument.Of(e.Node), e.Ports))],
            report.PortsToClose,
            report.Replacements,
            report.HostNetworkOnEdgeNodes,
            FirewallRuleRenderer.Render(report),
            FirewallRuleRenderer.ApplyCommand);
        return JsonSerializer.Serialize(document, AuditJsonContext.Default.AuditDocument) + Environment.NewLine;
    }

    private static string Describe(AuditNode node) => $"{node.Hostname} ({node.Role}, {node.State}, {node.Availability})";

    private static string Mode(PublishMode mode) => mode == PublishMode.Ingress ? "routing mesh" : "host mode";

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    private static void Table(StringBuilder text, string[] header, IEnumerable<string[]> rows)
    {
        var all = new[] { header }.Concat(rows).ToList();
        var widths = header.Select((_, i) => all.Max(r => r[i].Length)).ToArray();
        foreach (var row in all)
        {
            text.Append("  ").AppendLine(string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
        }
    }
}

/// <summary>The JSON report: what a script reads of the audit (nodes without their labels).</summary>
internal sealed record AuditDocument(
    string Endpoint,
    bool Exposed,
    string EdgeLabel,
    ImmutableArray<IngressPort> IngressPorts,
    ImmutableArray<FrontableService> FrontableServices,
    ImmutableArray<NodeDocument> EdgeNodes,
    ImmutableArray<NodeExposureDocument> ExposedNodes,
    ImmutableArray<PortToClose> PortsToClose,
    ImmutableArray<PortReplacement> Replacements,
    ImmutableArray<HostNetworkService> HostNetworkOnEdgeNodes,
    string IptablesRules,
    string ApplyCommand);

internal sealed record NodeDocument(string Id, string Hostname, string Role, string State, string Availability)
{
    public static NodeDocument Of(AuditNode node) => new(node.Id, node.Hostname, node.Role, node.State, node.Availability);
}

internal sealed record NodeExposureDocument(NodeDocument Node, ImmutableArray<NodePort> Ports);

/// <summary>Publish modes in camelCase ("ingress", "host"), as the report's other names.</summary>
internal sealed class PublishModeJsonConverter() : JsonStringEnumConverter<PublishMode>(JsonNamingPolicy.CamelCase);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, Converters = [typeof(PublishModeJsonConverter)])]
[JsonSerializable(typeof(AuditDocument))]
internal sealed partial class AuditJsonContext : JsonSerializerContext;
