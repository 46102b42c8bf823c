using System.Text;

namespace SwarmEdge.Commands.Audit;

/// <summary>
/// Pure: the iptables rules (iptables-restore format) that close the exposed ports on the non-edge nodes.
/// Choices, each for a reason:
/// <list type="bullet">
/// <item>Chain DOCKER-USER: Docker jumps to it from FORWARD before its own rules and never touches it; rules
/// elsewhere in FORWARD come after Docker's ACCEPTs.</item>
/// <item>-I, not -A: Docker creates the chain ending in "-j RETURN", so appended rules would never match.</item>
/// <item>conntrack --ctorigdstport, not --dport: a packet reaches DOCKER-USER after DNAT, which for a host-mode
/// port has already rewritten the published port to the container's port (Docker's docs, "Match the original
/// IP and ports for requests"). --ctdir ORIGINAL: only the packets of connections made to that port.</item>
/// <item>-o docker_gwbridge: a routing-mesh port is DNATed to the ingress sandbox on that bridge, port unchanged
/// (moby's iptablesdoc, swarm-portmap: "DNAT tcp dpt:8080 to:172.18.0.2:8080"), and a task's host-mode port to
/// the task's address on it; connections the node's own containers make to the same port elsewhere go out
/// another interface and are not dropped.</item>
/// <item>The chain is not declared (":DOCKER-USER - [0:0]"): iptables-restore flushes a declared chain, even
/// with --noflush, which would drop the operator's own DOCKER-USER rules and Docker's RETURN.</item>
/// </list>
/// </summary>
internal static class FirewallRuleRenderer
{
    /// <summary>The tag every rule carries, to find and remove them again.</summary>
    public const string Tag = "swarmedge-audit";

    public const string ApplyCommand = "iptables-restore --noflush < rules.txt";

    public const string RemoveCommand =
        "iptables -S DOCKER-USER | grep -- '" + Tag + "' | sed 's/^-A/-D/' | while read -r rule; do eval iptables \"$rule\"; done";

    /// <summary>The whole rule file, comments included; empty when there is nothing to close.</summary>
    public static string Render(ExposureReport report)
    {
        if (report.PortsToClose.IsEmpty)
        {
            return "";
        }

        var text = new StringBuilder();
        var targets = report.ExposedNodes.Select(e => e.Node.Hostname).ToList();
        text.Append("# For the nodes that are not edge nodes (node label ").Append(report.EdgeLabel).Append("): ")
            .AppendLine(string.Join(", ", targets));
        text.Append("# Not for the edge nodes: ")
            .AppendLine(report.EdgeNodes.IsEmpty ? "(no node carries the edge label)" : string.Join(", ", report.EdgeNodes.Select(n => n.Hostname)));
        text.Append("# Apply on each of them, as root: ").AppendLine(ApplyCommand);
        text.AppendLine("# (--noflush keeps Docker's rules; applying twice adds the rules twice.)");
        text.Append("# Remove them again: ").AppendLine(RemoveCommand);
        text.AppendLine("*filter");
        foreach (var port in report.PortsToClose)
        {
            text.AppendLine(Rule(port));
        }

        text.AppendLine("COMMIT");
        return text.ToString();
    }

    public static string Rule(PortToClose port) =>
        $"-I DOCKER-USER -o docker_gwbridge -p {port.Protocol} -m conntrack --ctorigdstport {port.Port} --ctdir ORIGINAL "
        + $"-m comment --comment \"{Comment(port)}\" -j DROP";

    /// <summary>
    /// The rule's comment names the services; it must stay a single iptables word inside double quotes, and the
    /// kernel keeps at most 255 bytes of it.
    /// </summary>
    private static string Comment(PortToClose port)
    {
        var where = port.Mode == PublishMode.Ingress ? "routing mesh" : "host mode on " + string.Join(" ", port.Nodes);
        var text = $"{Tag}: {port.Port}/{port.Protocol} {string.Join(" ", port.Services)} ({where})";
        var safe = new string(text.Select(c => char.IsAsciiLetterOrDigit(c) || " ._-:/()".Contains(c) ? c : '_').ToArray());
        return safe.Length <= 255 ? safe : safe[..255];
    }
}
