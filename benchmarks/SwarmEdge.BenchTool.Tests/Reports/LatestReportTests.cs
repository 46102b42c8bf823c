using SwarmEdge.BenchTool.Parsing;
using SwarmEdge.BenchTool.Reports;
using SwarmEdge.BenchTool.Sampling;

namespace SwarmEdge.BenchTool.Tests.Reports;

public class LatestReportTests
{
    [Fact]
    public void The_published_run_gives_back_results_latest_md_unchanged()
    {
        Assert.Equal(PublishedRuns.File("latest.md"), LatestReport.Markdown(PublishedRuns.Latest()));
    }

    [Fact]
    public void The_published_run_gives_back_results_latest_csv_unchanged()
    {
        Assert.Equal(PublishedRuns.File("latest.csv"), LatestReport.Csv(PublishedRuns.Latest()));
    }

    [Fact]
    public void The_chart_gets_one_line_per_proxy_and_plots_node_loss_when_it_was_measured()
    {
        var run = PublishedRuns.Latest();

        var lines = LatestReport.PlotData(run).Split('\n');

        Assert.Equal("# label rps update_failed sigkill_failed direct_rps node_loss_failed", lines[0]);
        Assert.Equal("\"SwarmEdge\" 26571.55 0 0 99689.66 12", lines[1]);
        Assert.Equal("\"nginx (static upstream)\" 35334.14 130645 2 75067.36 224", lines[3]);
        Assert.Equal(8, lines.Length);
        Assert.Equal("nodeloss=1; subtitle='2 cores, 2026-12-01'", LatestReport.GnuplotVariables(run));
    }

    [Fact]
    public void A_quick_run_without_node_loss_says_why_in_the_table_the_notes_the_csv_and_the_chart()
    {
        var published = PublishedRuns.Latest();
        var run = published with
        {
            Settings = published.Settings with { Quick = true, Only = "swarmedge", WarmupArgument = "30", NodeLossRan = false, NodeLossWhy = "no multi-node lab" },
            Proxies = [published.Proxies[0] with { NodeLoss = null, NodeLossSkipped = "no multi-node lab" }],
        };

        var md = LatestReport.Markdown(run);
        var csv = LatestReport.Csv(run).Split('\n');

        Assert.Contains("Made by `benchmarks/run.sh --quick --only swarmedge --warmup 30` on 2026-12-01 04:18 UTC.", md);
        Assert.Contains("| 1.35 | skipped: no multi-node lab |\n", md);
        Assert.Contains("- **node loss failed**: needs the 3-node lab of tests/lab/multinode.sh, healthy and idle; skipped (no multi-node lab).\n", md);
        Assert.EndsWith(",1.35,\"skipped: no multi-node lab\",,", csv[1]);
        Assert.EndsWith(" 0", LatestReport.PlotData(run).Split('\n')[1]);
        Assert.Equal("nodeloss=0; subtitle='2 cores, 2026-12-01, --quick'", LatestReport.GnuplotVariables(run));
    }

    [Fact]
    public void A_proxy_that_exited_is_flagged_in_each_scenario_it_died_in()
    {
        var published = PublishedRuns.Latest();
        var run = published with { Proxies = [published.Proxies[4] with { ExitedDuring = new HashSet<string> { "kill", "throughput", "nodeloss" } }] };

        var row = LatestReport.Markdown(run).Split('\n').Single(l => l.StartsWith("| HAProxy |", StringComparison.Ordinal));

        Assert.Equal("| HAProxy | 45154 (proxy exited) | 1.250 | 4.710 | 0.47 | 7.5 + 13.8 | 15.5 | 34 of 121106 | 0 of 112881 (proxy exited) | 1.48 | 60 of 469173 (proxy exited) |", row);
        Assert.EndsWith(",throughput kill nodeloss", LatestReport.Csv(run).Split('\n')[1]);
    }

    [Fact]
    public void Missing_measurements_show_as_n_a()
    {
        var published = PublishedRuns.Latest();
        var run = published with
        {
            Proxies = [published.Proxies[0] with { Update = null, PeakMemory = null, Throughput = published.Proxies[0].Throughput with { CpuAfter = null } }],
        };

        var row = LatestReport.Markdown(run).Split('\n').Single(l => l.StartsWith("| SwarmEdge |", StringComparison.Ordinal));

        Assert.Equal("| SwarmEdge | 26572 | 2.270 | 5.500 | 0.27 | n/a + n/a | n/a | n/a of n/a | 0 of 109934 | 1.35 | 12 of 257340 |", row);
    }

    [Fact]
    public void Answers_hey_gave_no_status_code_for_are_noted_under_the_table()
    {
        var published = PublishedRuns.Latest();
        var run = published with { Proxies = [published.Proxies[0] with { Kill = new HeyOutput(1_200_000, 3, 200_000, null) }] };

        Assert.Contains(
            "  every failed reconnect to the closed port as a socket error, so its errors can exceed its requests.\n"
            + "- hey: swarmedge kill: 200000 of 1200000 answers without a status code from hey (its distribution stops at 1,000,000), counted as not failed.\n\n",
            LatestReport.Markdown(run));
    }

    [Fact]
    public void Samples_from_the_proxys_own_cgroup_are_noted_as_such()
    {
        var published = PublishedRuns.Latest();
        var throughput = published.Proxies[1].Throughput;
        var run = published with
        {
            Proxies =
            [
                published.Proxies[0],
                published.Proxies[1] with
                {
                    Throughput = throughput with
                    {
                        CpuBefore = throughput.CpuBefore! with { Source = SampleSource.Cgroup },
                        CpuAfter = throughput.CpuAfter! with { Source = SampleSource.Cgroup },
                    },
                    PeakMemory = new PeakMemory(105984, SampleSource.Cgroup),
                },
            ],
        };

        var md = LatestReport.Markdown(run);

        Assert.Contains("| YARP alone (static, reference) | 27348 | 2.170 | 5.570 | 0.35 | 24.5 + 19.6 | 103.5 |", md);
        Assert.Contains("- CPU µs/request of yarp: from cpu.stat (user_usec, system_usec) of the proxy's own cgroup (v2), which held exactly its process tree.\n", md);
        Assert.Contains("- peak RSS of yarp: memory.peak of the proxy's own cgroup (v2)", md);
    }
}
