using SwarmEdge.BenchTool.Parsing;
using SwarmEdge.BenchTool.Reports;

namespace SwarmEdge.BenchTool.Tests.Reports;

public class SlowClientsReportTests
{
    [Fact]
    public void The_published_run_gives_back_results_slow_clients_md_unchanged()
    {
        Assert.Equal(PublishedRuns.File("slow-clients.md"), SlowClientsReport.Markdown(PublishedRuns.SlowClients()));
    }

    [Fact]
    public void Connections_still_open_at_the_end_and_a_run_without_hey_summary_show_in_the_row()
    {
        var published = PublishedRuns.SlowClients();
        var open = SlowHttpTestOutput.Parse(Fixture.Text("slowhttptest/open.txt"));
        var run = published with { Proxies = [published.Proxies[1] with { Bodies = new SlowAttack(HeyOutput.Parse(Fixture.Text("hey/ok.txt")), null, open) }] };

        Assert.Contains("| HAProxy | slow bodies | 0 of 1990 | 1007.9 | n/a of n/a | n/a | at the end: 20 open, 0 closed, service available YES |\n",
            SlowClientsReport.Markdown(run));
    }
}
