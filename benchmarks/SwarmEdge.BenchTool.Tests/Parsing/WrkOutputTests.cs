using SwarmEdge.BenchTool.Parsing;

namespace SwarmEdge.BenchTool.Tests.Parsing;

public class WrkOutputTests
{
    [Fact]
    public void A_run_that_was_answered_gives_requests_rate_and_latency_percentiles()
    {
        var wrk = WrkOutput.Parse(Fixture.Text("wrk/ok.txt"));

        Assert.Equal(new WrkOutput(2641, 1317.08, 4.51, 664.46, 0, 0, 0, 0, 0), wrk);
        Assert.Equal(0, wrk.Errors);
    }

    [Fact]
    public void Non_2xx_answers_count_as_errors()
    {
        var wrk = WrkOutput.Parse(Fixture.Text("wrk/not-found.txt"));

        Assert.Equal((3151L, 3151L, 3151L), (wrk.Requests, wrk.Non2xx, wrk.Errors));
    }

    [Fact]
    public void Socket_errors_of_a_server_that_died_during_the_run_are_read_per_kind_and_summed()
    {
        var wrk = WrkOutput.Parse(Fixture.Text("wrk/server-died.txt"));

        Assert.Equal((0L, 7L, 90912L, 0L), (wrk.ConnectErrors, wrk.ReadErrors, wrk.WriteErrors, wrk.Timeouts));
        Assert.Equal(1095, wrk.Requests);
        Assert.Equal(90919, wrk.Errors);
    }

    [Fact]
    public void Latencies_printed_in_seconds_are_converted_to_milliseconds()
    {
        var wrk = WrkOutput.Parse(Fixture.Text("wrk/seconds.txt"));

        Assert.Equal(1200.0, wrk.P50Ms, 9);
        Assert.Equal(1250.0, wrk.P99Ms, 9);
        Assert.Equal(13, wrk.Requests);
    }

    [Fact]
    public void A_run_whose_first_connection_was_refused_has_no_summary_and_reads_as_zero()
    {
        Assert.Equal(WrkOutput.Empty, WrkOutput.Parse(Fixture.Text("wrk/refused.txt")));
    }

    [Fact]
    public void A_server_that_never_answers_gives_no_requests_and_zero_latencies()
    {
        var wrk = WrkOutput.Parse(Fixture.Text("wrk/silent.txt"));

        Assert.Equal(WrkOutput.Empty, wrk);
    }

    [Theory]
    [InlineData("250.00us", 0.25)]
    [InlineData("0.00us", 0)]
    [InlineData("4.51ms", 4.51)]
    [InlineData("664.46ms", 664.46)]
    [InlineData("1.25s", 1250)]
    [InlineData("2.50m", 150000)]
    [InlineData("7", 7)]
    public void Each_unit_wrk_prints_converts_to_milliseconds(string printed, double milliseconds)
    {
        Assert.Equal(milliseconds, WrkOutput.ToMilliseconds(printed), 9);
    }

    [Fact]
    public void The_line_for_bash_has_the_fields_in_order_with_fixed_decimals()
    {
        Assert.Equal("2641 1317.08 4.510 664.460 0 0 0 0 0", WrkOutput.Parse(Fixture.Text("wrk/ok.txt")).ToLine());
        Assert.Equal("1095 353.33 5.030 10.550 0 0 7 90912 0", WrkOutput.Parse(Fixture.Text("wrk/server-died.txt")).ToLine());
        Assert.Equal("0 0.00 0.000 0.000 0 0 0 0 0", WrkOutput.Parse(Fixture.Text("wrk/refused.txt")).ToLine());
    }
}
