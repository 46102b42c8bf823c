using SwarmEdge.IntegrationTests.Lab;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Deployment;

/// <summary>
/// deploy/prometheus and the edge's /metrics as Prometheus's own tool reads them (Debian's promtool): the rules
/// load, their unit tests pass (each alert fires on the series that mean trouble, and not before), and what a
/// running edge exports is valid exposition that follows Prometheus's naming rules.
/// </summary>
[Collection(SingleNodeSwarmCollection.Name)]
public sealed class MonitoringTests(SingleNodeSwarm swarm, ITestOutputHelper output)
{
    private static readonly string Rules = Path.Combine(RepoPaths.Root, "deploy", "prometheus");

    [Fact]
    public async Task Promtool_loads_the_alerting_rules_and_their_unit_tests_pass()
    {
        var check = await Shell.RunAsync("promtool", ["check", "rules", Path.Combine(Rules, "swarmedge-alerts.yml")]);
        var test = await Shell.RunAsync("promtool", ["test", "rules", Path.Combine(Rules, "swarmedge-alerts.test.yml")]);

        Assert.Contains("SUCCESS", check.Output + check.Error, StringComparison.Ordinal);
        Assert.Contains("SUCCESS", test.Output + test.Error, StringComparison.Ordinal);
        output.WriteLine(check.Output + test.Output);
    }

    /// <summary>
    /// SwarmEdge's own families: prometheus-net's runtime adapter exports a gauge named ..._total that promtool's
    /// lint flags (prometheus_net_eventcounteradapter_sources_connected_total), which is not ours to rename.
    /// </summary>
    [Fact]
    public async Task A_running_edge_exports_metrics_promtool_accepts()
    {
        using var response = await swarm.Edge.GetAdminAsync("metrics");
        var metrics = Path.Combine(Path.GetTempPath(), $"it-metrics-{Guid.NewGuid():N}.txt");
        var ours = (await response.Content.ReadAsStringAsync()).Split('\n')
            .Where(l => l.StartsWith("swarmedge_", StringComparison.Ordinal) || l.StartsWith("# HELP swarmedge_", StringComparison.Ordinal) || l.StartsWith("# TYPE swarmedge_", StringComparison.Ordinal))
            .ToList();
        Assert.Contains(ours, l => l.StartsWith("# TYPE swarmedge_requests_total counter", StringComparison.Ordinal));
        await File.WriteAllTextAsync(metrics, string.Join('\n', ours) + "\n");
        try
        {
            // promtool reads the exposition on stdin; exit 0 means valid and no naming-convention complaints.
            var lint = await Shell.RunAsync("sh", ["-c", $"promtool check metrics < '{metrics}'"], check: false);
            Assert.True(lint.ExitCode == 0, $"promtool check metrics: {lint.Output}{lint.Error}");
        }
        finally
        {
            File.Delete(metrics);
        }
    }
}
