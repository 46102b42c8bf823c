using SwarmEdge.BenchTool.Parsing;
using SwarmEdge.BenchTool.Sampling;

namespace SwarmEdge.BenchTool.Reports;

/// <summary>One proxy's measurements in the main run (results/latest.md and latest.csv).</summary>
internal sealed record ProxyResult
{
    public required string Name { get; init; }

    public required string Label { get; init; }

    /// <summary>wrk straight to one task, just before the proxy's own runs.</summary>
    public double BaselineRps { get; init; }

    public LoadMeasurement Throughput { get; init; } = LoadMeasurement.None;

    /// <summary>The proxy tree's highest memory during the throughput run; null when it was never sampled.</summary>
    public PeakMemory? PeakMemory { get; init; }

    /// <summary>hey's summaries (null: hey printed none).</summary>
    public HeyOutput? Update { get; init; }

    public HeyOutput? Kill { get; init; }

    public HeyOutput? NodeLoss { get; init; }

    /// <summary>Why node loss was not measured for this proxy; null when it was.</summary>
    public string? NodeLossSkipped { get; init; }

    /// <summary>Seconds until every new task answered, or "&gt;CAP", as run.sh measured it.</summary>
    public string ScaleUpSeconds { get; init; } = "";

    /// <summary>The scenarios during which the proxy process died.</summary>
    public IReadOnlySet<string> ExitedDuring { get; init; } = new HashSet<string>();
}
