using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using SwarmEdge.Admin;

namespace SwarmEdge.Tests.Admin;

/// <summary>
/// The Grafana dashboard and the Prometheus rules in deploy/ ask only for metrics SwarmEdge exports: a renamed or
/// removed metric would leave a panel empty or an alert silent, with nothing to say so.
/// </summary>
public partial class MonitoringFilesTests
{
    private static readonly string Deploy = Path.Combine(RepositoryRoot(), "deploy");

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "SwarmEdge.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("SwarmEdge.sln not found above the test binaries");
    }

    /// <summary>What /metrics exports: every collector SwarmEdgeMetrics defines, and a histogram's series.</summary>
    private static HashSet<string> Exported()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in typeof(SwarmEdgeMetrics).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            if (field.GetValue(null) is Prometheus.Collector collector)
            {
                names.Add(collector.Name);
                if (collector is Prometheus.Histogram)
                {
                    names.UnionWith([collector.Name + "_bucket", collector.Name + "_sum", collector.Name + "_count"]);
                }
            }
        }

        return names;
    }

    private static IEnumerable<string> Asked(string text) => MetricRegex().Matches(text).Select(m => m.Value).Distinct();

    [Fact]
    public void Every_metric_the_grafana_dashboard_uses_is_exported()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(Deploy, "grafana", "swarmedge-dashboard.json")));
        var expressions = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .Select(t => t.GetProperty("expr").GetString()!)
            .Concat(dashboard.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray()
                .Where(v => v.TryGetProperty("query", out var q) && q.ValueKind == JsonValueKind.String)
                .Select(v => v.GetProperty("query").GetString()!))
            .ToList();

        var asked = expressions.SelectMany(Asked).ToHashSet();

        Assert.NotEmpty(asked);
        Assert.Empty(asked.Except(Exported()));
    }

    [Fact]
    public void Every_metric_the_alerting_rules_use_is_exported()
    {
        var asked = Asked(File.ReadAllText(Path.Combine(Deploy, "prometheus", "swarmedge-alerts.yml"))).ToHashSet();

        Assert.Contains("swarmedge_docker_api_up", asked);
        Assert.Empty(asked.Except(Exported()));
    }

    [GeneratedRegex(@"\bswarmedge_[a-z0-9_]+\b")]
    private static partial Regex MetricRegex();
}
