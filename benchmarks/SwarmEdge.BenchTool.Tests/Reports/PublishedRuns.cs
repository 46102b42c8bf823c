using SwarmEdge.BenchTool.Parsing;
using SwarmEdge.BenchTool.Reports;
using SwarmEdge.BenchTool.Sampling;

namespace SwarmEdge.BenchTool.Tests.Reports;

/// <summary>
/// Models of the runs behind benchmarks/results/latest.{md,csv}, https.md and slow-clients.md, typed in from those
/// files, and the files themselves: the writers must give them back unchanged. Each wrk run counts a million
/// requests, so a CPU time of X s is X µs per request.
/// </summary>
internal static class PublishedRuns
{
    private const long Requests = 1_000_000;

    public static readonly MachineInfo Xeon = new("Intel(R) Xeon(R) Processor", 24683584, "6.18.44-fc-v669");

    public static readonly MachineInfo Epyc = new("AMD EPYC", 24683584, "6.18.44-fc-v1045");

    public static RunSettings Settings(string file) => new()
    {
        Cores = "2",
        DockerVersion = "20.10.24+dfsg1",
        Replicas = "3",
        Scaled = "6",
        ScaleCap = "60",
        Connections = "64",
        Duration = "20",
        Warmup = "20",
        FailConnections = "16",
        FailTimeout = "2",
        KillDuration = "15",
        KillAt = "3",
        AfterUpdate = "3",
        NodeLossRan = true,
        NodeLossDuration = "30",
        SlowConnections = "1000",
        SlowBefore = "10",
        SlowDuring = "25",
        LoadCommands = LoadCommands(file),
    };

    public static LatestRun Latest() => new(
        new DateTimeOffset(2026, 12, 1, 4, 18, 0, TimeSpan.Zero), Xeon, Settings("latest.md"),
        [
            Proxy("swarmedge", "SwarmEdge", 26571.55, 2.270, 5.500, 99689.66, 27.9, 19.9, 133.7, (0, 229947), (0, 109934), "1.35", (12, 257340)),
            Proxy("yarp", "YARP alone (static, reference)", 27347.91, 2.170, 5.570, 77221.68, 24.5, 19.6, 103.5, (177, 56821), (50, 166932), ">60", (224, 18630)),
            Proxy("nginx-static", "nginx (static upstream)", 35334.14, 1.740, 6.510, 75067.36, 7.0, 18.2, 19.3, (130645, 439093), (2, 287461), ">60", (224, 69701)),
            Proxy("nginx-resolve", "nginx (resolver + variable)", 9578.28, 5.780, 68.740, 101832.31, 14.3, 130.6, 20.4, (0, 170152), (16, 141099), "3.13", (64, 196803)),
            Proxy("haproxy", "HAProxy", 45154.45, 1.250, 4.710, 95611.19, 7.5, 13.8, 15.5, (34, 121106), (0, 112881), "1.48", (60, 469173)),
            Proxy("caddy", "Caddy", 11268.48, 5.330, 20.680, 83714.08, 96.3, 32.0, 46.8, (0, 192315), (16, 109152), "2.03", (48, 222803)),
        ]);

    public static HttpsRun Https() => new(
        new DateTimeOffset(2026, 12, 2, 14, 51, 0, TimeSpan.Zero), Epyc, Settings("https.md"),
        [
            new("swarmedge", "SwarmEdge", Tls(6454.31, 20.940, 198.4), Tls(486.02, 131.180, 2153.9)),
            new("haproxy", "HAProxy", Tls(10199.62, 15.170, 94.6), Tls(669.63, 74.960, 1314.9)),
            new("nginx-static", "nginx (static upstream)", Tls(9250.61, 17.430, 103.2), Tls(1811.66, 29.740, 438.6)),
            new("caddy", "Caddy", Tls(4679.16, 40.420, 283.7), Tls(842.86, 95.730, 1042.6)),
        ]);

    public static SlowRun SlowClients() => new(
        new DateTimeOffset(2026, 12, 2, 14, 4, 0, TimeSpan.Zero), Epyc, Settings("slow-clients.md"),
        [
            new("swarmedge", "SwarmEdge", Attack(29514, 0.0135, 129624, 0.0094, "14th"), Attack(27182, 0.0156, 103919, 0.0128, "9th")),
            new("haproxy", "HAProxy", Attack(88109, 0.0054, 191312, 0.0066, "13th"), Attack(87393, 0.0057, 199058, 0.0064, "13th")),
        ]);

    public static string File(string name) => Fixture.RepositoryFile($"benchmarks/results/{name}");

    public static ProxyResult Proxy(string name, string label, double rps, double p50, double p99, double baseline,
        double cpuUser, double cpuSystem, double rssMib, (long Failed, long Requests) update, (long Failed, long Requests) kill,
        string scaleUp, (long Failed, long Requests) nodeLoss) => new()
    {
        Name = name,
        Label = label,
        BaselineRps = baseline,
        Throughput = new LoadMeasurement(
            new WrkOutput(Requests, rps, p50, p99, 0, 0, 0, 0, 0),
            new CpuSample(5_000_000, 7_000_000, SampleSource.Proc),
            new CpuSample(5_000_000 + (long)Math.Round(cpuUser * Requests), 7_000_000 + (long)Math.Round(cpuSystem * Requests), SampleSource.Proc)),
        PeakMemory = new PeakMemory((long)Math.Round(rssMib * 1024), SampleSource.Proc),
        Update = new HeyOutput(update.Requests, update.Failed, 0, null),
        Kill = new HeyOutput(kill.Requests, kill.Failed, 0, null),
        NodeLoss = new HeyOutput(nodeLoss.Requests, nodeLoss.Failed, 0, null),
        ScaleUpSeconds = scaleUp,
    };

    private static LoadMeasurement Tls(double rps, double p99, double cpu) =>
        new(new WrkOutput(Requests, rps, 0, p99, 0, 0, 0, 0, 0),
            new CpuSample(0, 0, SampleSource.Proc),
            new CpuSample((long)Math.Round(cpu * Requests * 0.75), (long)Math.Round(cpu * Requests * 0.25), SampleSource.Proc));

    private static SlowAttack Attack(long before, double beforeP99, long during, double duringP99, string closedBy) =>
        new(new HeyOutput(before, 0, 0, beforeP99), new HeyOutput(during, 0, 0, duringP99), new SlowHttpTestOutput("", "", "", closedBy, true));

    /// <summary>The load commands as the published file lists them (a ``` block, or lines indented by 4 after "Commands:").</summary>
    private static IReadOnlyList<string> LoadCommands(string file)
    {
        var lines = File(file).Split('\n');
        var fence = Array.IndexOf(lines, "```");
        if (fence >= 0)
        {
            return lines.Skip(fence + 1).TakeWhile(l => l != "```").ToList();
        }

        return lines.SkipWhile(l => l != "Commands:").Skip(2).Where(l => l.StartsWith("    ", StringComparison.Ordinal)).Select(l => l[4..]).ToList();
    }
}
