using SwarmEdge.Commands.Audit;
using static SwarmEdge.Tests.Commands.AuditTestData;

namespace SwarmEdge.Tests.Commands;

public class ExposureAnalyzerTests
{
    [Fact]
    public void Host_network_services_running_on_edge_nodes_are_named_with_those_nodes_and_are_neither_exposure_nor_frontable()
    {
        var swarm = Swarm(
            // vip mode, as a stack without endpoint_mode gives it; still nothing SwarmEdge could front.
            [Service("vrrp") with { HostNetwork = true }, Service("monitor", mode: "dnsrr") with { HostNetwork = true }, Service("web")],
            [Node("edge-1", edge: true), Node("edge-2", edge: true), Node("worker-1")],
            Task("v1", "vrrp", "edge-1"), Task("v2", "vrrp", "edge-2"),
            // On a worker only: not a neighbour of the floating IP.
            Task("m1", "monitor", "worker-1"),
            Task("w1", "web", "edge-1"));

        var report = ExposureAnalyzer.Analyze(swarm, Edge);

        var service = Assert.Single(report.HostNetworkOnEdgeNodes);
        Assert.Equal("vrrp", service.Service);
        Assert.Equal(["edge-1", "edge-2"], service.Nodes.ToArray());
        Assert.False(report.Exposed);
        Assert.Equal(["web"], report.Frontable.Select(f => f.Name));
    }

    [Fact]
    public void An_ingress_port_is_open_on_every_node_that_is_not_an_edge_node()
    {
        var swarm = Swarm(
            [Service("web", ports: [Ingress(8080, 80)])],
            [Node("edge-1", edge: true), Node("worker-1"), Node("worker-2")],
            // The task runs on worker-1 only; the routing mesh listens everywhere all the same.
            Task("t1", "web", "worker-1"));

        var report = ExposureAnalyzer.Analyze(swarm, Edge);

        Assert.True(report.Exposed);
        Assert.Equal([new IngressPort("web", 8080, 80, "tcp")], report.IngressPorts.ToArray());
        Assert.Equal(["edge-1"], report.EdgeNodes.Select(n => n.Hostname));
        Assert.Equal(["worker-1", "worker-2"], report.ExposedNodes.Select(e => e.Node.Hostname));
        Assert.All(report.ExposedNodes, e => Assert.Equal([new NodePort(8080, "tcp", "web", PublishMode.Ingress)], e.Ports.ToArray()));
        var close = Assert.Single(report.PortsToClose);
        Assert.Equal((8080, "tcp", PublishMode.Ingress), (close.Port, close.Protocol, close.Mode));
        Assert.Equal(["web"], close.Services.ToArray());
        Assert.Empty(close.Nodes);
    }

    [Fact]
    public void A_host_mode_port_is_open_only_where_a_task_runs_and_not_a_problem_on_an_edge_node()
    {
        var swarm = Swarm(
            [Service("edge", mode: "dnsrr", ports: [Host(80, 8080)]), Service("exporter", mode: "dnsrr", ports: [Host(9100, 9100)])],
            [Node("edge-1", edge: true), Node("worker-1"), Node("worker-2")],
            Task("t-edge", "edge", "edge-1", Host(80, 8080)),
            Task("t-exp-1", "exporter", "worker-1", Host(9100, 9100)),
            Task("t-exp-2", "exporter", "edge-1", Host(9100, 9100)));

        var report = ExposureAnalyzer.Analyze(swarm, Edge);

        Assert.True(report.Exposed);
        Assert.Empty(report.IngressPorts);
        var exposure = Assert.Single(report.ExposedNodes);
        Assert.Equal("worker-1", exposure.Node.Hostname);
        Assert.Equal([new NodePort(9100, "tcp", "exporter", PublishMode.Host)], exposure.Ports.ToArray());
        var close = Assert.Single(report.PortsToClose);
        Assert.Equal(PublishMode.Host, close.Mode);
        Assert.Equal(["worker-1"], close.Nodes.ToArray());
    }

    [Fact]
    public void A_task_that_has_not_started_yet_is_counted_with_the_host_ports_of_its_service()
    {
        var swarm = Swarm(
            [Service("api", mode: "dnsrr", ports: [Host(9000, 9000, "udp"), Host(0, 7000)])],
            [Node("worker-1")],
            Task("t1", "api", "worker-1"));

        var report = ExposureAnalyzer.Analyze(swarm, Edge);

        // Port 0 is one Docker has not picked yet: nothing to close before it exists.
        Assert.Equal([new NodePort(9000, "udp", "api", PublishMode.Host)], Assert.Single(report.ExposedNodes).Ports.ToArray());
    }

    [Fact]
    public void The_ports_a_started_task_reports_win_over_its_service_spec()
    {
        var swarm = Swarm(
            [Service("api", mode: "dnsrr", ports: [Host(0, 7000)])],
            [Node("worker-1")],
            Task("t1", "api", "worker-1", Host(30123, 7000)));

        var report = ExposureAnalyzer.Analyze(swarm, Edge);

        Assert.Equal([new NodePort(30123, "tcp", "api", PublishMode.Host)], Assert.Single(report.ExposedNodes).Ports.ToArray());
    }

    [Fact]
    public void The_same_host_port_on_two_nodes_is_one_port_to_close_naming_both()
    {
        var swarm = Swarm(
            [Service("exporter", mode: "dnsrr", ports: [Host(9100, 9100)])],
            [Node("worker-2"), Node("worker-1")],
            Task("t1", "exporter", "worker-1", Host(9100, 9100)),
            Task("t2", "exporter", "worker-2", Host(9100, 9100)));

        var close = Assert.Single(ExposureAnalyzer.Analyze(swarm, Edge).PortsToClose);

        Assert.Equal(["worker-1", "worker-2"], close.Nodes.ToArray());
    }

    [Fact]
    public void Ports_to_close_are_ordered_by_port_and_protocol_and_ingress_wins_over_host_for_the_same_port()
    {
        var swarm = Swarm(
            [
                Service("dns", ports: [Ingress(53, 53, "udp"), Ingress(53, 53)]),
                Service("web", ports: [Ingress(8080, 80)]),
                Service("debug", mode: "dnsrr", ports: [Host(8080, 6060)]),
            ],
            [Node("worker-1")],
            Task("t1", "debug", "worker-1", Host(8080, 6060)));

        var report = ExposureAnalyzer.Analyze(swarm, Edge);

        Assert.Equal([(53, "tcp"), (53, "udp"), (8080, "tcp")], report.PortsToClose.Select(p => (p.Port, p.Protocol)));
        var web = report.PortsToClose[2];
        Assert.Equal(PublishMode.Ingress, web.Mode);
        Assert.Equal(["debug", "web"], web.Services.ToArray());
    }

    [Fact]
    public void Vip_services_without_host_ports_are_the_ones_SwarmEdge_could_front()
    {
        var swarm = Swarm(
            [
                Service("web", ports: [Ingress(8080, 80)]),
                Service("internal-api", labels: ("swarmedge.enable", "true")),
                Service("already-dnsrr", mode: "dnsrr"),
                Service("pinned", ports: [Host(5000, 5000)]),
            ],
            [Node("worker-1")]);

        var report = ExposureAnalyzer.Analyze(swarm, Edge);

        Assert.Equal(["internal-api", "web"], report.Frontable.Select(f => f.Name));
        Assert.True(report.Frontable.Single(f => f.Name == "internal-api").OptedIn);
        Assert.False(report.Frontable.Single(f => f.Name == "web").OptedIn);
        Assert.Equal([new IngressPort("web", 8080, 80, "tcp")], report.Frontable.Single(f => f.Name == "web").IngressPorts.ToArray());
    }

    [Fact]
    public void Dnsrr_services_without_published_ports_and_an_edge_only_host_port_expose_nothing()
    {
        var swarm = Swarm(
            [Service("edge", mode: "dnsrr", ports: [Host(80, 8080)]), Service("api", mode: "dnsrr")],
            [Node("edge-1", edge: true), Node("worker-1")],
            Task("t1", "edge", "edge-1", Host(80, 8080)),
            Task("t2", "api", "worker-1"));

        var report = ExposureAnalyzer.Analyze(swarm, Edge);

        Assert.False(report.Exposed);
        Assert.Empty(report.ExposedNodes);
        Assert.Empty(report.PortsToClose);
        Assert.Equal("", FirewallRuleRenderer.Render(report));
    }

    [Fact]
    public void A_routing_mesh_port_is_exposure_even_when_every_node_is_an_edge_node()
    {
        var swarm = Swarm([Service("web", ports: [Ingress(8080, 80)])], [Node("edge-1", edge: true)]);

        var report = ExposureAnalyzer.Analyze(swarm, Edge);

        Assert.True(report.Exposed);
        Assert.Empty(report.ExposedNodes);
        Assert.Empty(report.PortsToClose);
    }

    [Fact]
    public void Tasks_without_a_node_or_of_unknown_services_publish_nothing()
    {
        var swarm = Swarm(
            [Service("api", mode: "dnsrr", ports: [Host(9000, 9000)])],
            [Node("worker-1")],
            new AuditTask("pending", "svc-api", "", [Host(9000, 9000)]),
            Task("orphan", "gone", "worker-1", Host(7000, 7000)));

        Assert.False(ExposureAnalyzer.Analyze(swarm, Edge).Exposed);
    }

    [Theory]
    [InlineData("swarmedge.edge=true", "swarmedge.edge", "true")]
    [InlineData(" role = edge ", "role", "edge")]
    [InlineData("edge", "edge", null)]
    [InlineData("edge=", "edge", "")]
    public void Edge_labels_parse(string text, string key, string? value)
    {
        Assert.True(EdgeLabel.TryParse(text, out var label, out _));
        Assert.Equal(new EdgeLabel(key, value), label);
    }

    [Theory]
    [InlineData("")]
    [InlineData("=true")]
    [InlineData(null)]
    public void An_edge_label_without_a_key_is_refused(string? text)
    {
        Assert.False(EdgeLabel.TryParse(text, out _, out var error));
        Assert.Contains("--edge-label", error);
    }

    [Fact]
    public void An_edge_label_without_a_value_matches_any_value()
    {
        var nodes = new[] { Node("a"), Node("b") with { Labels = Node("b").Labels.Add("edge", "yes") } };
        var report = ExposureAnalyzer.Analyze(Swarm([Service("web", ports: [Ingress(80, 80)])], nodes), new EdgeLabel("edge", null));

        Assert.Equal(["b"], report.EdgeNodes.Select(n => n.Hostname));
        Assert.Equal(["a"], report.ExposedNodes.Select(e => e.Node.Hostname));
    }

    [Fact]
    public void Every_routing_mesh_port_is_reported_with_the_swarmedge_labels_that_would_route_it()
    {
        var swarm = Swarm(
            [
                Service("shop_web", ports: [Ingress(8080, 80), Ingress(18081, 8081)]),
                Service("shop_db", ports: [Ingress(25432, 5432)]),
                Service("dns", ports: [Ingress(53, 53, "udp")]),
            ],
            [Node("edge-1", edge: true)]);

        var report = ExposureAnalyzer.Analyze(swarm, Edge);

        Assert.Equal(
            [
                new PortReplacement("dns", 53, 53, "udp", "not routable by SwarmEdge (UDP): stays on the routing mesh"),
                new PortReplacement("shop_db", 25432, 5432, "tcp",
                    "swarmedge.tcp.port=5432 swarmedge.tcp.entrypoint=25432 (edge entrypoint 25432 in SwarmEdge:Tcp:Entrypoints)"),
                new PortReplacement("shop_web", 8080, 80, "tcp", "swarmedge.http.port=80 swarmedge.http.host=shop-web.example.com"),
                new PortReplacement("shop_web", 18081, 8081, "tcp",
                    "swarmedge.http.routers.port-8081.port=8081 swarmedge.http.routers.port-8081.host=shop-web-8081.example.com"),
            ],
            report.Replacements.ToArray());
        Assert.Contains("swarmedge.tcp.port=5432 swarmedge.tcp.entrypoint=25432", AuditRenderer.Text(report, "unix:///var/run/docker.sock"));
    }
}
