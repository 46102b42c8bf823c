using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SwarmEdge.Shutdown;

namespace SwarmEdge.Tests.Shutdown;

public class ShutdownGraceTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly ShutdownGrace _shutdown;

    public ShutdownGraceTests() =>
        _shutdown = new ShutdownGrace(Options.Create(new SwarmEdgeOptions { Shutdown = { Grace = TimeSpan.FromSeconds(5) } }), _time,
            NullLogger<ShutdownGrace>.Instance);

    [Fact]
    public async Task Stopping_drains_at_once_and_returns_after_the_grace()
    {
        Assert.False(_shutdown.IsDraining);

        var stopping = _shutdown.StoppingAsync(CancellationToken.None);

        Assert.True(_shutdown.IsDraining);
        _time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.False(stopping.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(0.1));
        await stopping.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task The_hosts_shutdown_timeout_ends_the_grace_early()
    {
        using var timeout = new CancellationTokenSource();
        var stopping = _shutdown.StoppingAsync(timeout.Token);

        await timeout.CancelAsync();

        await stopping.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData("HTTP/1.1", "close")]
    [InlineData("HTTP/1.0", "close")]
    [InlineData("HTTP/2", "")] // HTTP/2 has no Connection header; Kestrel sends GOAWAY when it stops
    public async Task While_draining_http1_responses_close_their_connection(string protocol, string expected)
    {
        var context = new DefaultHttpContext();
        context.Request.Protocol = protocol;
        var middleware = new DrainingMiddleware(_ => Task.CompletedTask, _shutdown);

        await middleware.InvokeAsync(context);
        Assert.Equal("", context.Response.Headers.Connection.ToString());

        _ = _shutdown.StoppingAsync(CancellationToken.None);
        await middleware.InvokeAsync(context);
        Assert.Equal(expected, context.Response.Headers.Connection.ToString());
    }
}
