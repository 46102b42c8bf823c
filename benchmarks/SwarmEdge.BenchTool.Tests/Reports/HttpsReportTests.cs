using SwarmEdge.BenchTool.Reports;

namespace SwarmEdge.BenchTool.Tests.Reports;

public class HttpsReportTests
{
    [Fact]
    public void The_published_run_gives_back_results_https_md_unchanged()
    {
        Assert.Equal(PublishedRuns.File("https.md"), HttpsReport.Markdown(PublishedRuns.Https()));
    }

    [Fact]
    public void Without_HAProxy_in_the_run_the_ratios_are_n_a()
    {
        var published = PublishedRuns.Https();
        var run = published with { Proxies = [published.Proxies[0]] };

        Assert.Contains("| SwarmEdge | 6454.31 | 20.940 | 198.4 | 486.02 | 131.180 | 2153.9 | n/a | n/a |\n", HttpsReport.Markdown(run));
    }
}
