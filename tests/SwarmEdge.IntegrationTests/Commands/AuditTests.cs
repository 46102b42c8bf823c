using System.Text.Json;
using SwarmEdge.IntegrationTests.Lab;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Commands;

/// <summary>
/// swarmedge audit against the real one-node swarm, through the real binary. Other tests may have services of
/// their own on this swarm: assertions look only at this test's service.
/// </summary>
[Collection(SingleNodeSwarmCollection.Name)]
public sealed class AuditTests(IngressPublishedService ingress, ITestOutputHelper output) : IClassFixture<IngressPublishedService>, IDisposable
{
    private const int PublishedPort = IngressPublishedService.PublishedPort;
    private readonly string _service = ingress.Name;
    private readonly string _dir = Directory.CreateTempSubdirectory("swarmedge-audit-").FullName;

    [Fact]
    public async Task Reports_an_ingress_port_exits_1_and_prints_rules_that_iptables_accepts()
    {
        var audit = await CommandRunner.SwarmEdgeAsync("audit");
        output.WriteLine(audit.Output);
        output.WriteLine(audit.Error);

        Assert.Equal(1, audit.ExitCode);
        var lines = audit.Output.Split('\n');
        // The routing-mesh table: service, published, target, protocol, and the SwarmEdge labels that would route it.
        Assert.Contains(lines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [var s, var published, "80", "tcp", "swarmedge.http.port=80", var host]
                                    && s == _service && published == $"{PublishedPort}" && host == $"swarmedge.http.host={_service}.example.com");
        // The vip service is one SwarmEdge could front, not yet opted in.
        Assert.Contains(lines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [var s, "-", var p] && s == _service && p == $"{PublishedPort}->80/tcp");
        // This node is no edge node (it has no swarmedge.edge label), so it publishes the port.
        var hostname = (await Shell.DockerAsync("node", "inspect", "self", "--format", "{{.Description.Hostname}}")).Trimmed;
        Assert.Contains(lines, l => l.TrimStart().StartsWith(hostname + " (") && l.Contains($"{PublishedPort}/tcp ({_service}, routing mesh)"));

        var rules = RulesIn(audit.Output);
        Assert.Contains(rules.Split('\n'), l => l.StartsWith("-I DOCKER-USER ") && l.Contains($"--ctorigdstport {PublishedPort} ") && l.Contains(_service));
        var file = Path.Combine(_dir, "rules.txt");
        await File.WriteAllTextAsync(file, rules);

        // The documented command, in test mode, on this machine where dockerd made DOCKER-USER.
        var test = await CommandRunner.BashAsync($"iptables-restore --noflush --test < {CommandRunner.Quote(file)}");
        Assert.True(test.ExitCode == 0, $"iptables-restore --test refused the rules:\n{test.Error}\n{rules}");

        // And applied for real in a network namespace of our own with a DOCKER-USER chain as dockerd makes it
        // (ending in RETURN, holding an operator's rule): the rules land before the RETURN, nothing is flushed.
        await AssertAppliesWithoutFlushingAsync(file);
    }

    [Fact]
    public async Task Json_carries_the_same_findings_and_rules()
    {
        var text = await CommandRunner.SwarmEdgeAsync("audit");
        var json = await CommandRunner.SwarmEdgeAsync("audit", "--format", "json");

        Assert.Equal(1, json.ExitCode);
        using var document = JsonDocument.Parse(json.Output);
        var root = document.RootElement;
        Assert.True(root.GetProperty("exposed").GetBoolean());
        var port = Assert.Single(root.GetProperty("ingressPorts").EnumerateArray(), p => p.GetProperty("service").GetString() == _service);
        Assert.Equal((PublishedPort, 80, "tcp"),
            (port.GetProperty("publishedPort").GetInt32(), port.GetProperty("targetPort").GetInt32(), port.GetProperty("protocol").GetString()));
        var frontable = Assert.Single(root.GetProperty("frontableServices").EnumerateArray(), f => f.GetProperty("name").GetString() == _service);
        Assert.False(frontable.GetProperty("optedIn").GetBoolean());
        Assert.Contains(root.GetProperty("iptablesRules").GetString()!, text.Output);
    }

    [Fact]
    public async Task A_node_with_the_edge_label_is_not_firewalled_but_the_routing_mesh_still_counts()
    {
        var label = $"{_service}-edge";
        // "self" works for docker node inspect, not for docker node update.
        var self = (await Shell.DockerAsync("info", "--format", "{{.Swarm.NodeID}}")).Trimmed;
        await Shell.DockerAsync("node", "update", "--label-add", $"{label}=yes", self);
        try
        {
            var audit = await CommandRunner.SwarmEdgeAsync("audit", "--edge-label", $"{label}=yes", "--format", "json");
            output.WriteLine(audit.Output);

            Assert.Equal(1, audit.ExitCode);
            using var document = JsonDocument.Parse(audit.Output);
            var root = document.RootElement;
            Assert.Contains(root.GetProperty("edgeNodes").EnumerateArray(), n => n.GetProperty("id").GetString() == self);
            Assert.DoesNotContain(root.GetProperty("exposedNodes").EnumerateArray(), e => e.GetProperty("node").GetProperty("id").GetString() == self);
            Assert.Contains(root.GetProperty("ingressPorts").EnumerateArray(), p => p.GetProperty("service").GetString() == _service);
        }
        finally
        {
            await Shell.DockerAsync("node", "update", "--label-rm", label, self);
        }
    }

    [Fact]
    public async Task An_unreachable_docker_api_exits_2_with_a_clear_message()
    {
        var audit = await CommandRunner.SwarmEdgeAsync("audit", "--docker", $"unix://{_dir}/no-docker.sock");

        Assert.Equal(2, audit.ExitCode);
        Assert.StartsWith($"error: cannot reach the Docker API at unix://{_dir}/no-docker.sock", audit.Error);
        Assert.Equal("", audit.Output);
    }

    /// <summary>The iptables-restore input in the text report: its comment header through COMMIT.</summary>
    private static string RulesIn(string report)
    {
        var lines = report.Split('\n');
        var start = Array.FindIndex(lines, l => l.StartsWith("# For the nodes that are not edge nodes"));
        var end = Array.FindIndex(lines, l => l == "COMMIT");
        Assert.True(start >= 0 && end > start, "no rules in the report:\n" + report);
        return string.Join('\n', lines[start..(end + 1)]) + "\n";
    }

    private async Task AssertAppliesWithoutFlushingAsync(string rulesFile)
    {
        var ns = _service;
        await Shell.RunAsync("ip", ["netns", "add", ns]);
        try
        {
            await Shell.RunAsync("ip", ["netns", "exec", ns, "iptables", "-N", "DOCKER-USER"]);
            await Shell.RunAsync("ip", ["netns", "exec", ns, "iptables", "-A", "DOCKER-USER", "-s", "192.0.2.1", "-j", "ACCEPT"]);
            await Shell.RunAsync("ip", ["netns", "exec", ns, "iptables", "-A", "DOCKER-USER", "-j", "RETURN"]);

            var apply = await CommandRunner.BashAsync($"ip netns exec {ns} iptables-restore --noflush < {CommandRunner.Quote(rulesFile)}");
            Assert.True(apply.ExitCode == 0, apply.Error);

            var chain = (await Shell.RunAsync("ip", ["netns", "exec", ns, "iptables", "-S", "DOCKER-USER"])).Output
                .Split('\n', StringSplitOptions.RemoveEmptyEntries);
            output.WriteLine(string.Join('\n', chain));
            var ours = Array.FindIndex(chain, l => l.Contains($"--ctorigdstport {PublishedPort} ") && l.EndsWith("-j DROP"));
            var operators = Array.IndexOf(chain, "-A DOCKER-USER -s 192.0.2.1/32 -j ACCEPT");
            var ret = Array.IndexOf(chain, "-A DOCKER-USER -j RETURN");
            Assert.True(ours > 0 && operators > ours && ret > operators, string.Join('\n', chain));

            // The removal command the header prints takes out exactly the rules it added.
            var remove = File.ReadAllLines(rulesFile).Single(l => l.StartsWith("# Remove them again: "))["# Remove them again: ".Length..];
            var removed = await CommandRunner.BashAsync($"ip netns exec {ns} bash -c {CommandRunner.Quote(remove)}");
            Assert.True(removed.ExitCode == 0, removed.Error);
            var after = (await Shell.RunAsync("ip", ["netns", "exec", ns, "iptables", "-S", "DOCKER-USER"])).Output
                .Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(["-N DOCKER-USER", "-A DOCKER-USER -s 192.0.2.1/32 -j ACCEPT", "-A DOCKER-USER -j RETURN"], after);
        }
        finally
        {
            await Shell.RunAsync("ip", ["netns", "del", ns], check: false);
        }
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}

/// <summary>
/// One service for the whole class, in vip mode (the default) with a port published through the routing mesh:
/// the exposure the audit is for. One, because a published port is freed only some time after its service is removed.
/// </summary>
public sealed class IngressPublishedService : IAsyncLifetime
{
    public const int PublishedPort = 18900;

    public string Name { get; } = SwarmServices.UniqueName("audit");

    public Task InitializeAsync() =>
        Shell.DockerAsync("service", "create", "--detach", "--name", Name,
            "--publish", $"published={PublishedPort},target=80", SwarmServices.Image);

    public Task DisposeAsync() => Shell.RunAsync("docker", ["service", "rm", Name], check: false);
}
