using SwarmEdge.BenchTool.Parsing;
using SwarmEdge.BenchTool.Sampling;

namespace SwarmEdge.BenchTool.Reports;

/// <summary>
/// Builds the report models from the results file run.sh writes and the raw outputs it names. The keys:
/// <list type="bullet">
/// <item>run.quick (1 or 0), run.only, run.warmup_arg: the arguments; run.proxies: the proxies in order;
/// run.load_command: one per wrk, hey or slowhttptest run, repeated.</item>
/// <item>run.cores, run.docker, run.replicas, run.scaled, run.scale_cap, run.connections, run.duration, run.warmup,
/// run.fail_connections, run.fail_timeout, run.kill_duration, run.kill_at, run.after_update, run.node_loss (run or
/// skip), run.node_loss_why, run.node_loss_duration, run.slow_connections, run.slow_before, run.slow_during.</item>
/// <item>PROXY.label; PROXY.SCENARIO.wrk, .hey, .slowhttptest: raw output files; PROXY.SCENARIO.cpu_before and
/// .cpu_after: `bench-tool cpu` lines; PROXY.throughput.rss_peak: the watcher's peak file;
/// PROXY.scaleup.seconds; PROXY.nodeloss.skipped: why node loss was not measured; PROXY.SCENARIO.exited: the proxy
/// died during that scenario.</item>
/// </list>
/// Scenarios: baseline, throughput, update, kill, scaleup, nodeloss; https-keepalive, https-handshake; slowH-before,
/// slowH-during, slowH and the same with B. A missing key or file reads as what an unset shell variable gave: "",
/// no requests, no hey summary.
/// </summary>
internal sealed class ResultsReader(ResultsFile results)
{
    public RunSettings Settings() => new()
    {
        Quick = results["run.quick"] == "1",
        Only = results["run.only"],
        WarmupArgument = results["run.warmup_arg"],
        Cores = results["run.cores"],
        DockerVersion = results["run.docker"],
        Replicas = results["run.replicas"],
        Scaled = results["run.scaled"],
        ScaleCap = results["run.scale_cap"],
        Connections = results["run.connections"],
        Duration = results["run.duration"],
        Warmup = results["run.warmup"],
        FailConnections = results["run.fail_connections"],
        FailTimeout = results["run.fail_timeout"],
        KillDuration = results["run.kill_duration"],
        KillAt = results["run.kill_at"],
        AfterUpdate = results["run.after_update"],
        NodeLossRan = results["run.node_loss"] == "run",
        NodeLossWhy = results["run.node_loss_why"],
        NodeLossDuration = results["run.node_loss_duration"],
        SlowConnections = results["run.slow_connections"],
        SlowBefore = results["run.slow_before"],
        SlowDuring = results["run.slow_during"],
        LoadCommands = results.Values("run.load_command"),
    };

    public IReadOnlyList<string> Proxies() => results.Words("run.proxies");

    public string Label(string proxy) => results[$"{proxy}.label"];

    public WrkOutput Wrk(string proxy, string scenario) => WrkOutput.Parse(ReadRaw(results[$"{proxy}.{scenario}.wrk"]) ?? "");

    /// <summary>The raw hey output file of a scenario; "" when none was recorded.</summary>
    public string HeyFile(string proxy, string scenario) => results[$"{proxy}.{scenario}.hey"];

    public HeyOutput? Hey(string proxy, string scenario) => ReadRaw(HeyFile(proxy, scenario)) is { } text ? HeyOutput.Parse(text) : null;

    public LoadMeasurement Load(string proxy, string scenario) =>
        new(Wrk(proxy, scenario), CpuSample.Parse(results[$"{proxy}.{scenario}.cpu_before"]), CpuSample.Parse(results[$"{proxy}.{scenario}.cpu_after"]));

    public PeakMemory? Peak(string proxy) => ReadRaw(results[$"{proxy}.throughput.rss_peak"]) is { } text ? PeakMemory.Parse(text) : null;

    public SlowAttack Slow(string proxy, string attack) =>
        new(Hey(proxy, $"{attack}-before"), Hey(proxy, $"{attack}-during"),
            SlowHttpTestOutput.Parse(ReadRaw(results[$"{proxy}.{attack}.slowhttptest"]) ?? ""));

    public ProxyResult Proxy(string proxy) => new()
    {
        Name = proxy,
        Label = Label(proxy),
        BaselineRps = Wrk(proxy, "baseline").RequestsPerSecond,
        Throughput = Load(proxy, "throughput"),
        PeakMemory = Peak(proxy),
        Update = Hey(proxy, "update"),
        Kill = Hey(proxy, "kill"),
        NodeLoss = Hey(proxy, "nodeloss"),
        NodeLossSkipped = results.Has($"{proxy}.nodeloss.skipped") ? results[$"{proxy}.nodeloss.skipped"] : null,
        ScaleUpSeconds = results[$"{proxy}.scaleup.seconds"],
        ExitedDuring = new[] { "throughput", "update", "kill", "scaleup", "nodeloss" }
            .Where(s => results.Has($"{proxy}.{s}.exited")).ToHashSet(),
    };

    public LatestRun Latest(DateTimeOffset madeAt, MachineInfo machine) => new(madeAt, machine, Settings(), Proxies().Select(Proxy).ToList());

    public HttpsRun Https(DateTimeOffset madeAt, MachineInfo machine) =>
        new(madeAt, machine, Settings(),
            Proxies().Select(p => new HttpsProxyResult(p, Label(p), Load(p, "https-keepalive"), Load(p, "https-handshake"))).ToList());

    public SlowRun SlowClients(DateTimeOffset madeAt, MachineInfo machine) =>
        new(madeAt, machine, Settings(), Proxies().Select(p => new SlowProxyResult(p, Label(p), Slow(p, "slowH"), Slow(p, "slowB"))).ToList());

    private static string? ReadRaw(string path) => path != "" && File.Exists(path) ? File.ReadAllText(path) : null;
}
