using System.Text.Json;
using SwarmEdge.Commands.Audit;
using static SwarmEdge.Tests.Commands.AuditTestData;

namespace SwarmEdge.Tests.Commands;

public class AuditRendererTests
{
    private static readonly ExposureReport Exposed = ExposureAnalyzer.Analyze(
        Swarm(
            [Service("web", ports: [Ingress(8080, 80)]), Service("api", labels: ("swarmedge.enable", "true"))],
            [Node("edge-1", edge: true), Node("worker-1")]),
        Edge);

    [Fact]
    public void Text_has_every_section_and_rules_that_can_be_cut_out_as_they_are()
    {
        var text = AuditRenderer.Text(Exposed, "unix:///var/run/docker.sock");

        Assert.Contains("2 nodes, 2 services", text);
        Assert.Contains("  web      8080       80      tcp", text);
        Assert.Contains("  api      already set", text);
        Assert.Contains("Edge nodes (node label swarmedge.edge=true): edge-1 (worker, ready, active)", text);
        Assert.Contains("  worker-1 (worker, ready, active): 8080/tcp (web, routing mesh)", text);
        Assert.Contains(FirewallRuleRenderer.Render(Exposed), text);
        Assert.Contains("Result: exposed ports found", text);
        Assert.Contains("Services on the host network of edge nodes", text);
    }

    [Fact]
    public void Host_network_services_on_edge_nodes_are_listed_in_text_and_json()
    {
        var report = ExposureAnalyzer.Analyze(
            Swarm([Service("ha_vrrp", mode: "dnsrr") with { HostNetwork = true }], [Node("edge-1", edge: true), Node("edge-2", edge: true)],
                Task("v1", "ha_vrrp", "edge-1"), Task("v2", "ha_vrrp", "edge-2")),
            Edge);

        Assert.Contains("  ha_vrrp: edge-1, edge-2", AuditRenderer.Text(report, "unix:///var/run/docker.sock"));
        using var json = JsonDocument.Parse(AuditRenderer.JsonText(report, "unix:///var/run/docker.sock"));
        var service = Assert.Single(json.RootElement.GetProperty("hostNetworkOnEdgeNodes").EnumerateArray().ToArray());
        Assert.Equal("ha_vrrp", service.GetProperty("service").GetString());
        Assert.Equal(2, service.GetProperty("nodes").GetArrayLength());
    }

    [Fact]
    public void Json_carries_the_findings_and_the_rules()
    {
        using var json = JsonDocument.Parse(AuditRenderer.JsonText(Exposed, "tcp://10.0.0.5:2375"));
        var root = json.RootElement;

        Assert.True(root.GetProperty("exposed").GetBoolean());
        Assert.Equal("tcp://10.0.0.5:2375", root.GetProperty("endpoint").GetString());
        var port = Assert.Single(root.GetProperty("ingressPorts").EnumerateArray().ToArray());
        Assert.Equal(8080, port.GetProperty("publishedPort").GetInt32());
        Assert.Equal("worker-1", root.GetProperty("exposedNodes")[0].GetProperty("node").GetProperty("hostname").GetString());
        Assert.Equal("ingress", root.GetProperty("portsToClose")[0].GetProperty("mode").GetString());
        Assert.Equal(FirewallRuleRenderer.Render(Exposed), root.GetProperty("iptablesRules").GetString());
    }

    [Fact]
    public void A_clean_swarm_says_so()
    {
        var clean = ExposureAnalyzer.Analyze(Swarm([Service("api", mode: "dnsrr")], [Node("worker-1")]), Edge);

        var text = AuditRenderer.Text(clean, "unix:///var/run/docker.sock");

        Assert.Contains("Result: nothing is exposed outside the edge nodes.", text);
        Assert.DoesNotContain("*filter", text);
        Assert.False(JsonDocument.Parse(AuditRenderer.JsonText(clean, "x")).RootElement.GetProperty("exposed").GetBoolean());
    }
}
