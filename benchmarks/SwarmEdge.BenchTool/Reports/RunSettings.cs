namespace SwarmEdge.BenchTool.Reports;

/// <summary>
/// The settings of one run.sh run that the reports quote (run.* keys of the results file), kept as the text run.sh
/// gave them.
/// </summary>
internal sealed record RunSettings
{
    public bool Quick { get; init; }

    /// <summary>The --only list as given, or "".</summary>
    public string Only { get; init; } = "";

    /// <summary>The --warmup seconds as given, or "".</summary>
    public string WarmupArgument { get; init; } = "";

    public string Cores { get; init; } = "";

    public string DockerVersion { get; init; } = "";

    public string Replicas { get; init; } = "";

    public string Scaled { get; init; } = "";

    public string ScaleCap { get; init; } = "";

    /// <summary>wrk connections in the throughput, baseline and HTTPS runs.</summary>
    public string Connections { get; init; } = "";

    /// <summary>Seconds of each measured wrk run, and of the warm-up before it.</summary>
    public string Duration { get; init; } = "";

    public string Warmup { get; init; } = "";

    /// <summary>hey workers and per-request timeout (s) in the failure and slow-client scenarios.</summary>
    public string FailConnections { get; init; } = "";

    public string FailTimeout { get; init; } = "";

    public string KillDuration { get; init; } = "";

    public string KillAt { get; init; } = "";

    public string AfterUpdate { get; init; } = "";

    public bool NodeLossRan { get; init; }

    public string NodeLossWhy { get; init; } = "";

    public string NodeLossDuration { get; init; } = "";

    public string SlowConnections { get; init; } = "";

    public string SlowBefore { get; init; } = "";

    public string SlowDuring { get; init; } = "";

    /// <summary>Every wrk, hey and slowhttptest command of the run, "name: command", in the order they ran.</summary>
    public IReadOnlyList<string> LoadCommands { get; init; } = [];

    /// <summary>The arguments the run was made with, as the report quotes them after benchmarks/run.sh.</summary>
    public string Arguments =>
        (Quick ? " --quick" : "") + (Only != "" ? $" --only {Only}" : "") + (WarmupArgument != "" ? $" --warmup {WarmupArgument}" : "");
}
