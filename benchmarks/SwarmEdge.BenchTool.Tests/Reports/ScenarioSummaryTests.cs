using SwarmEdge.BenchTool.Reports;

namespace SwarmEdge.BenchTool.Tests.Reports;

public sealed class ScenarioSummaryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bench-tool-summary-").FullName;

    private ScenarioSummary Summary(string results) => new(new ResultsReader(ResultsFile.Parse(results)));

    [Fact]
    public void The_throughput_line_has_rate_latencies_errors_ratio_memory_and_cpu()
    {
        File.WriteAllText(Path.Join(_dir, "peak"), "136909 proc\n");
        var summary = Summary($"""
            p.baseline.wrk={Fixture.PathOf("wrk/ok.txt")}
            p.throughput.wrk={Fixture.PathOf("wrk/server-died.txt")}
            p.throughput.cpu_before=1000000 2000000 proc
            p.throughput.cpu_after=1547500 2219000 proc
            p.throughput.rss_peak={Path.Join(_dir, "peak")}
            """);

        // 353.33 req/s through the proxy (wrk/server-died.txt) against 1317.08 straight (wrk/ok.txt).
        Assert.Equal("353.33 req/s, p50 5.030 ms, p99 10.550 ms, non-2xx+errors 90919, ratio 0.27, peak RSS 133.7 MiB, CPU 500.0 us user + 200.0 us system per request",
            summary.Text("p", "throughput"));
        Assert.Equal("1317.08 req/s", summary.Text("p", "baseline"));
        Assert.Empty(summary.Warnings("p", "throughput"));
    }

    [Fact]
    public void A_failure_scenario_gives_failed_of_requests()
    {
        var summary = Summary($"p.kill.hey={Fixture.PathOf("hey/server-died.txt")}\n");

        Assert.Equal("41750 of 42762 requests failed", summary.Text("p", "kill"));
        Assert.Empty(summary.Warnings("p", "kill"));
    }

    [Fact]
    public void A_hey_run_without_summary_is_n_a_and_its_last_lines_are_shown()
    {
        var summary = Summary($"p.update.hey={Fixture.PathOf("hey/usage.txt")}\n");
        var lastLines = Fixture.Text("hey/usage.txt").TrimEnd('\n').Split('\n').TakeLast(5);

        Assert.Equal("n/a of n/a requests failed", summary.Text("p", "update"));
        Assert.Equal([$"p: no hey summary in {Fixture.PathOf("hey/usage.txt")}; its last lines:", .. lastLines], summary.Warnings("p", "update"));
    }

    [Fact]
    public void Answers_without_a_status_code_are_warned_about()
    {
        var capped = Path.Join(_dir, "capped.txt");
        File.WriteAllText(capped, Fixture.Text("hey/ok.txt").Replace("[200]\t1990 responses", "[200]\t1500 responses", StringComparison.Ordinal));

        var warnings = Summary($"p.nodeloss.hey={capped}\n").Warnings("p", "nodeloss");

        Assert.Equal(["p: hey gave no status code for 490 of 1990 answers (its status code distribution stops at 1,000,000); counted as not failed"], warnings);
    }

    [Fact]
    public void Https_and_slow_client_lines()
    {
        var summary = Summary($"""
            p.https-handshake.wrk={Fixture.PathOf("wrk/not-found.txt")}
            p.https-handshake.cpu_before=0 0 proc
            p.https-handshake.cpu_after=3151000 3151000 proc
            p.slowB-before.hey={Fixture.PathOf("hey/ok.txt")}
            p.slowB-during.hey={Fixture.PathOf("hey/timeout.txt")}
            p.slowB.slowhttptest={Fixture.PathOf("slowhttptest/open.txt")}
            """);

        Assert.Equal("1500.24 req/s, p99 652.870 ms, errors 3151, CPU 2000.0 us per request", summary.Text("p", "https-handshake"));
        Assert.Equal("normal clients before 0 of 1990 failed, p99 1007.9 ms; during 8 of 8 failed, p99 n/a ms; slowhttptest: at the end: 20 open, 0 closed, service available YES",
            summary.Text("p", "slowB"));
        Assert.Null(summary.Text("p", "no-such-scenario"));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
