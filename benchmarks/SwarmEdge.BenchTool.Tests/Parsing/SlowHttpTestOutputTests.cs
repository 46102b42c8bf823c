using SwarmEdge.BenchTool.Parsing;

namespace SwarmEdge.BenchTool.Tests.Parsing;

public class SlowHttpTestOutputTests
{
    [Fact]
    public void A_server_that_closed_every_slow_connection_ends_the_test_early()
    {
        var slow = SlowHttpTestOutput.Parse(Fixture.Text("slowhttptest/closed.txt"));

        Assert.True(slow.NoOpenConnectionsLeft);
        Assert.Equal("the proxy had closed every slow connection by the 2th second", slow.Summary);
    }

    [Fact]
    public void A_server_that_kept_them_open_shows_the_last_status_without_colour_codes()
    {
        var slow = SlowHttpTestOutput.Parse(Fixture.Text("slowhttptest/open.txt"));

        Assert.False(slow.NoOpenConnectionsLeft);
        Assert.Equal(("20", "0", "YES", "9th"), (slow.Connected, slow.Closed, slow.ServiceAvailable, slow.EndedOn));
        Assert.Equal("at the end: 20 open, 0 closed, service available YES", slow.Summary);
    }
}
