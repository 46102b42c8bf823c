using SwarmEdge.BenchTool.Reports;

namespace SwarmEdge.BenchTool.Tests.Reports;

public class ResultsFileTests
{
    [Fact]
    public void A_key_given_again_takes_its_last_value_and_keeps_every_value_in_order()
    {
        var file = ResultsFile.Parse("run.cores=2\nrun.load_command=a: wrk -t2\nrun.cores=4\nrun.load_command=b: hey -z 2s\n");

        Assert.Equal("4", file["run.cores"]);
        Assert.Equal(["a: wrk -t2", "b: hey -z 2s"], file.Values("run.load_command"));
    }

    [Fact]
    public void A_value_keeps_its_own_equals_signs_and_spaces()
    {
        var file = ResultsFile.Parse("run.load_command=x: curl -H 'a=b'  c\nswarmedge.nodeloss.skipped=\n");

        Assert.Equal("x: curl -H 'a=b'  c", file["run.load_command"]);
        Assert.True(file.Has("swarmedge.nodeloss.skipped"));
        Assert.Equal("", file["swarmedge.nodeloss.skipped"]);
    }

    [Fact]
    public void A_missing_key_reads_as_an_unset_shell_variable()
    {
        var file = ResultsFile.Parse("no equals sign here\n=no key\n");

        Assert.Equal("", file["run.cores"]);
        Assert.False(file.Has("run.cores"));
        Assert.Empty(file.Values("run.load_command"));
        Assert.Empty(file.Words("run.proxies"));
    }
}
