using Microsoft.Extensions.Time.Testing;
using SwarmEdge.Proxy.Tcp;

namespace SwarmEdge.Tests.Proxy.Tcp;

public class TcpConnectionsTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly TcpConnections _connections;

    public TcpConnectionsTests() => _connections = new TcpConnections(_time);

    [Fact]
    public void Connections_are_counted_per_task_until_closed()
    {
        var a = _connections.Open("t1", CancellationToken.None);
        var b = _connections.Open("t1", CancellationToken.None);
        _connections.Open("t2", CancellationToken.None);

        Assert.Equal(2, _connections.CountFor("t1"));
        _connections.Close(a);
        Assert.Equal(1, _connections.CountFor("t1"));
        _connections.Close(b);
        Assert.Equal(0, _connections.CountFor("t1"));
        Assert.Equal(1, _connections.CountFor("t2"));
    }

    [Fact]
    public void A_failed_task_is_skipped_for_its_cooldown_and_a_connection_that_works_clears_it()
    {
        _connections.Failed("t1", TimeSpan.FromSeconds(10));
        Assert.True(_connections.RecentlyFailed("t1"));
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(_connections.RecentlyFailed("t1"));

        _connections.Failed("t1", TimeSpan.FromSeconds(10));
        _connections.Open("t1", CancellationToken.None);
        Assert.False(_connections.RecentlyFailed("t1"));
    }

    [Fact]
    public async Task Draining_a_task_closes_its_connections_after_the_timeout_and_leaves_the_others()
    {
        var leaving = _connections.Open("t1", CancellationToken.None);
        var staying = _connections.Open("t2", CancellationToken.None);

        Assert.Equal(1, _connections.Drain(["t1", "t9"], TimeSpan.FromMilliseconds(50)));

        Assert.Equal(0, _connections.CountFor("t1"));
        await Task.Delay(Timeout.Infinite, leaving.Closing).ContinueWith(_ => { }).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(staying.Closing.IsCancellationRequested);
    }

    [Fact]
    public void A_client_that_leaves_closes_its_connection_and_a_late_drain_does_not_throw()
    {
        using var client = new CancellationTokenSource();
        var connection = _connections.Open("t1", client.Token);

        client.Cancel();
        Assert.True(connection.Closing.IsCancellationRequested);
        _connections.Close(connection);
        connection.CloseAfter(TimeSpan.FromSeconds(1)); // already disposed: nothing happens
    }
}
