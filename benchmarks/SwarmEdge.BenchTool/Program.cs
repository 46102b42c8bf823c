using System.Globalization;
using System.Runtime.InteropServices;
using SwarmEdge.BenchTool.Parsing;
using SwarmEdge.BenchTool.Reports;
using SwarmEdge.BenchTool.Sampling;

namespace SwarmEdge.BenchTool;

/// <summary>
/// The commands benchmarks/run.sh calls: parsers that print one line for bash to read, the process tree sampler,
/// the per-scenario log line and the report writers. Exit status 2 on a usage error, 1 when there is nothing to
/// print (no hey summary, the process has ended).
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage: bench-tool COMMAND ...
          wrk FILE                       requests rps p50_ms p99_ms non2xx connect read write timeout
          hey FILE                       requests failed unclassified (status 1: no hey summary in FILE)
          slow FILE                      how slowhttptest's connections ended
          cpu PID                        user_us system_us source: CPU time of PID and its descendants
          rss PID                        current_kib peak_kib|- source: their memory
          watch-rss PID PEAK LOG [SECONDS]   samples their memory every SECONDS (0.5) until PID ends or a signal:
                                         one "time kib" line per sample in LOG, the highest "kib source" in PEAK
          summary RESULTS PROXY SCENARIO the log line of a scenario (baseline throughput update kill nodeloss
                                         https-keepalive https-handshake slowH slowB)
          report latest RESULTS DIR PLOT latest.md and latest.csv in DIR, the chart's data in PLOT; prints the
                                         chart's gnuplot variables
          report https RESULTS DIR       https.md in DIR
          report slow RESULTS DIR        slow-clients.md in DIR
          allocations COUNTERS TRACE REQUESTS [TOP]
                                         bytes allocated per request (a dotnet-counters CSV of the measured run)
                                         and the TOP (30) types of its allocation ticks (a dotnet-trace file)
        """;

    public static async Task<int> Main(string[] args)
    {
        try
        {
            return args switch
            {
                ["wrk", var file] => Print(WrkOutput.Parse(File.ReadAllText(file)).ToLine()),
                ["hey", var file] => HeyOutput.Parse(File.ReadAllText(file)) is { } hey ? Print(hey.ToLine()) : 1,
                ["slow", var file] => Print(SlowHttpTestOutput.Parse(File.ReadAllText(file)).Summary),
                ["cpu", var pid] => Pid(pid, p => ProcessTreeSampler.Host().Cpu(p)?.ToLine()),
                ["rss", var pid] => Pid(pid, p => ProcessTreeSampler.Host().Memory(p)?.ToLine()),
                ["watch-rss", var pid, var peak, var log] => await WatchAsync(pid, peak, log, "0.5"),
                ["watch-rss", var pid, var peak, var log, var seconds] => await WatchAsync(pid, peak, log, seconds),
                ["summary", var results, var proxy, var scenario] => Summary(results, proxy, scenario),
                ["report", "latest", var results, var dir, var plot] => Latest(results, dir, plot),
                ["report", "https", var results, var dir] => Write(dir, "https.md", HttpsReport.Markdown(Reader(results).Https(DateTimeOffset.UtcNow, Machine()))),
                ["report", "slow", var results, var dir] => Write(dir, "slow-clients.md", SlowClientsReport.Markdown(Reader(results).SlowClients(DateTimeOffset.UtcNow, Machine()))),
                ["allocations", var counters, var trace, var requests] => Allocations(counters, trace, requests, "30"),
                ["allocations", var counters, var trace, var requests, var top] => Allocations(counters, trace, requests, top),
                _ => UsageError(),
            };
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"bench-tool: {e.Message}");
            return 1;
        }
    }

    private static int Print(string line)
    {
        Console.Out.Write(line + "\n");
        return 0;
    }

    private static int Pid(string text, Func<int, string?> sample)
    {
        if (!int.TryParse(text, CultureInfo.InvariantCulture, out var pid) || pid <= 0)
        {
            return UsageError();
        }

        if (sample(pid) is not { } line)
        {
            Console.Error.Write($"bench-tool: no process {pid}\n");
            return 1;
        }

        return Print(line);
    }

    private static async Task<int> WatchAsync(string pidText, string peakFile, string logFile, string secondsText)
    {
        if (!int.TryParse(pidText, CultureInfo.InvariantCulture, out var pid) || pid <= 0
            || !double.TryParse(secondsText, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0)
        {
            return UsageError();
        }

        // run.sh stops the watcher with SIGTERM: end the loop instead of the runtime's default shutdown.
        using var stop = new CancellationTokenSource();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            stop.Cancel();
        });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c =>
        {
            c.Cancel = true;
            stop.Cancel();
        });
        await new RssWatch(ProcessTreeSampler.Host(), TimeProvider.System).RunAsync(pid, peakFile, logFile, TimeSpan.FromSeconds(seconds), stop.Token);
        return 0;
    }

    private static int Allocations(string countersFile, string traceFile, string requestsText, string topText)
    {
        if (!long.TryParse(requestsText, CultureInfo.InvariantCulture, out var requests) || requests <= 0
            || !int.TryParse(topText, CultureInfo.InvariantCulture, out var top) || top <= 0)
        {
            return UsageError();
        }

        var bytes = AllocationSamples.AllocatedBytes(File.ReadAllText(countersFile));
        var perRequest = (double)bytes / requests;
        Console.Out.Write(string.Create(CultureInfo.InvariantCulture, $"allocated per request: {perRequest:F0} B ({bytes} B over {requests} requests)\n"));
        foreach (var type in AllocationSamples.ByType(AllocationTrace.Ticks(traceFile), perRequest, top))
        {
            Console.Out.Write(type.ToLine() + "\n");
        }

        return 0;
    }

    private static int Summary(string resultsFile, string proxy, string scenario)
    {
        var summary = new ScenarioSummary(Reader(resultsFile));
        if (summary.Text(proxy, scenario) is not { } text)
        {
            return UsageError();
        }

        foreach (var warning in summary.Warnings(proxy, scenario))
        {
            Console.Error.Write($"bench: {warning}\n");
        }

        return Print(text);
    }

    private static int Latest(string resultsFile, string dir, string plotFile)
    {
        var run = Reader(resultsFile).Latest(DateTimeOffset.UtcNow, Machine());
        Write(dir, "latest.csv", LatestReport.Csv(run));
        Write(dir, "latest.md", LatestReport.Markdown(run));
        File.WriteAllText(plotFile, LatestReport.PlotData(run));
        return Print(LatestReport.GnuplotVariables(run));
    }

    private static int Write(string dir, string name, string text)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Join(dir, name), text);
        return 0;
    }

    private static ResultsReader Reader(string resultsFile) => new(ResultsFile.Read(resultsFile));

    private static MachineInfo Machine() => MachineInfo.Read(ProcFs.Host);

    private static int UsageError()
    {
        Console.Error.Write(Usage + "\n");
        return 2;
    }
}
