using SwarmEdge.Commands.Audit;
using static SwarmEdge.Tests.Commands.AuditTestData;

namespace SwarmEdge.Tests.Commands;

public class FirewallRuleRendererTests
{
    private static ExposureReport Report() => ExposureAnalyzer.Analyze(
        Swarm(
            [
                Service("web", ports: [Ingress(8080, 80)]),
                Service("dns", ports: [Ingress(53, 53, "udp")]),
                Service("exporter", mode: "dnsrr", ports: [Host(9100, 9100)]),
            ],
            [Node("edge-1", edge: true), Node("worker-1"), Node("worker-2")],
            Task("t1", "exporter", "worker-2", Host(9100, 9100))),
        Edge);

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void One_rule_per_port_inserted_at_the_top_of_DOCKER_USER_and_matched_on_the_original_port()
    {
        var rules = Lines(FirewallRuleRenderer.Render(Report())).Where(l => !l.StartsWith('#')).ToArray();

        Assert.Equal(
            [
                "*filter",
                "-I DOCKER-USER -o docker_gwbridge -p udp -m conntrack --ctorigdstport 53 --ctdir ORIGINAL -m comment --comment \"swarmedge-audit: 53/udp dns (routing mesh)\" -j DROP",
                "-I DOCKER-USER -o docker_gwbridge -p tcp -m conntrack --ctorigdstport 8080 --ctdir ORIGINAL -m comment --comment \"swarmedge-audit: 8080/tcp web (routing mesh)\" -j DROP",
                "-I DOCKER-USER -o docker_gwbridge -p tcp -m conntrack --ctorigdstport 9100 --ctdir ORIGINAL -m comment --comment \"swarmedge-audit: 9100/tcp exporter (host mode on worker-2)\" -j DROP",
                "COMMIT",
            ],
            rules);
    }

    [Fact]
    public void The_chain_is_never_declared_because_iptables_restore_would_flush_it()
    {
        var text = FirewallRuleRenderer.Render(Report());

        Assert.DoesNotContain(Lines(text), l => l.StartsWith(':'));
        Assert.DoesNotContain(Lines(text), l => l.StartsWith("-A "));
        Assert.Contains("iptables-restore --noflush", text);
    }

    [Fact]
    public void The_header_says_which_nodes_the_rules_are_for_and_which_not()
    {
        var comments = Lines(FirewallRuleRenderer.Render(Report())).TakeWhile(l => l.StartsWith('#')).ToArray();

        Assert.Contains("# For the nodes that are not edge nodes (node label swarmedge.edge=true): worker-1, worker-2", comments);
        Assert.Contains("# Not for the edge nodes: edge-1", comments);
    }

    [Fact]
    public void Without_an_edge_node_the_header_says_so()
    {
        var report = ExposureAnalyzer.Analyze(Swarm([Service("web", ports: [Ingress(80, 80)])], [Node("vm", role: "manager")]), Edge);

        Assert.Contains("# Not for the edge nodes: (no node carries the edge label)", Lines(FirewallRuleRenderer.Render(report)));
    }

    [Fact]
    public void A_comment_stays_one_quoted_word_of_at_most_255_characters()
    {
        var names = Enumerable.Range(0, 10).Select(i => $"service-with-a-rather-long-name-{i}\"$x").ToArray();
        var port = new PortToClose(8080, "tcp", [.. names], PublishMode.Ingress, []);

        var rule = FirewallRuleRenderer.Rule(port);

        var comment = rule.Split("--comment \"")[1].Split("\" -j DROP")[0];
        Assert.Equal(255, comment.Length);
        Assert.DoesNotContain('"', comment);
        Assert.DoesNotContain('$', comment);
        Assert.EndsWith("\" -j DROP", rule);
    }

    [Fact]
    public void Nothing_to_close_renders_nothing()
    {
        var report = ExposureAnalyzer.Analyze(Swarm([Service("api", mode: "dnsrr")], [Node("worker-1")]), Edge);

        Assert.Equal("", FirewallRuleRenderer.Render(report));
    }
}
