using SwarmEdge.BenchTool.Parsing;
using SwarmEdge.BenchTool.Reports;
using SwarmEdge.BenchTool.Sampling;

namespace SwarmEdge.BenchTool.Tests.Reports;

public sealed class ResultsReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bench-tool-results-").FullName;

    /// <summary>A results file as run.sh writes it, naming the fixtures as the raw outputs of one proxy.</summary>
    private ResultsFile Results(string extra = "")
    {
        File.WriteAllText(Path.Join(_dir, "peak"), "136909 proc\n");
        return ResultsFile.Parse($"""
            run.quick=0
            run.cores=2
            run.proxies=swarmedge haproxy
            run.node_loss=run
            run.load_command=swarmedge-baseline: wrk -t2 -c64 -d20s --latency http://10.0.2.2/
            swarmedge.label=SwarmEdge
            swarmedge.baseline.wrk={Fixture.PathOf("wrk/ok.txt")}
            swarmedge.throughput.wrk={Fixture.PathOf("wrk/server-died.txt")}
            swarmedge.throughput.cpu_before=1000000 2000000 proc
            swarmedge.throughput.cpu_after=1547500 2219000 proc
            swarmedge.throughput.rss_peak={Path.Join(_dir, "peak")}
            swarmedge.update.hey={Fixture.PathOf("hey/sigint.txt")}
            swarmedge.kill.hey={Fixture.PathOf("hey/server-died.txt")}
            swarmedge.nodeloss.hey={Fixture.PathOf("hey/usage.txt")}
            swarmedge.scaleup.seconds=1.35
            swarmedge.kill.exited=1
            haproxy.label=HAProxy
            haproxy.nodeloss.skipped=multi-node lab unhealthy
            {extra}
            """);
    }

    [Fact]
    public void A_proxy_is_read_from_its_raw_outputs_and_samples()
    {
        var p = new ResultsReader(Results()).Proxy("swarmedge");

        Assert.Equal(("swarmedge", "SwarmEdge", 1317.08), (p.Name, p.Label, p.BaselineRps));
        Assert.Equal(WrkOutput.Parse(Fixture.Text("wrk/server-died.txt")), p.Throughput.Wrk);
        // 547500 µs user and 219000 µs system over wrk/server-died.txt's 1095 requests.
        Assert.Equal((500.0, 200.0), p.Throughput.CpuUsPerRequest);
        Assert.Equal(new PeakMemory(136909, SampleSource.Proc), p.PeakMemory);
        Assert.Equal(new HeyOutput(1865, 0, 0, 1.0087), p.Update);
        Assert.Equal(new HeyOutput(42762, 41750, 0, 0.0120), p.Kill);
        Assert.Null(p.NodeLoss);
        Assert.Null(p.NodeLossSkipped);
        Assert.Equal("1.35", p.ScaleUpSeconds);
        Assert.Equal(["kill"], p.ExitedDuring);
    }

    [Fact]
    public void A_proxy_with_nothing_recorded_reads_as_no_requests_and_no_summaries()
    {
        var p = new ResultsReader(Results()).Proxy("haproxy");

        Assert.Equal(LoadMeasurement.None, p.Throughput);
        Assert.Equal((0.0, (HeyOutput?)null, (PeakMemory?)null), (p.BaselineRps, p.Update, p.PeakMemory));
        Assert.Equal("multi-node lab unhealthy", p.NodeLossSkipped);
    }

    [Fact]
    public void The_run_settings_and_proxies_come_from_the_run_keys_in_order()
    {
        var reader = new ResultsReader(Results("run.quick=1\nrun.only=swarmedge,haproxy\n"));
        var run = reader.Latest(DateTimeOffset.UnixEpoch, PublishedRuns.Epyc);

        Assert.Equal(["swarmedge", "haproxy"], run.Proxies.Select(p => p.Name));
        Assert.Equal((true, "2", true), (run.Settings.Quick, run.Settings.Cores, run.Settings.NodeLossRan));
        Assert.Equal(" --quick --only swarmedge,haproxy", run.Settings.Arguments);
        Assert.Equal(["swarmedge-baseline: wrk -t2 -c64 -d20s --latency http://10.0.2.2/"], run.Settings.LoadCommands);
    }

    [Fact]
    public void Https_and_slow_client_runs_read_their_own_scenarios()
    {
        var reader = new ResultsReader(Results($"""
            swarmedge.https-keepalive.wrk={Fixture.PathOf("wrk/ok.txt")}
            swarmedge.https-handshake.wrk={Fixture.PathOf("wrk/not-found.txt")}
            swarmedge.slowH-before.hey={Fixture.PathOf("hey/ok.txt")}
            swarmedge.slowH-during.hey={Fixture.PathOf("hey/timeout.txt")}
            swarmedge.slowH.slowhttptest={Fixture.PathOf("slowhttptest/closed.txt")}
            """));

        var https = reader.Https(DateTimeOffset.UnixEpoch, PublishedRuns.Epyc).Proxies[0];
        var slow = reader.SlowClients(DateTimeOffset.UnixEpoch, PublishedRuns.Epyc).Proxies[0];

        Assert.Equal((2641L, 3151L), (https.KeepAlive.Wrk.Requests, https.Handshake.Wrk.Requests));
        Assert.Equal((1990L, 8L, "2th"), (slow.Headers.Before!.Requests, slow.Headers.During!.Failed, slow.Headers.Tool.EndedOn));
        Assert.Null(slow.Bodies.Before);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
