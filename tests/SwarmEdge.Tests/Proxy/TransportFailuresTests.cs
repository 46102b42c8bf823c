using System.Net.Sockets;
using SwarmEdge.Proxy;
using Yarp.ReverseProxy.Forwarder;

namespace SwarmEdge.Tests.Proxy;

public class TransportFailuresTests
{
    private sealed record ErrorFeature(ForwarderError Error, Exception? Exception) : IForwarderErrorFeature;

    public static TheoryData<string, ForwarderError, Exception?, bool, bool> Cases => new()
    {
        // What, YARP's error, its exception, failed before any response byte (retry), a transport failure (passive health).
        { "refused", ForwarderError.Request, new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException((int)SocketError.ConnectionRefused)), true, true },
        { "reset before the response", ForwarderError.Request, new HttpRequestException("reset", new IOException("reset", new SocketException((int)SocketError.ConnectionReset))), true, true },
        { "closed before the response", ForwarderError.Request, new HttpRequestException(HttpRequestError.ResponseEnded, "ended"), true, true },
        { "connect timeout", ForwarderError.RequestTimedOut, new TaskCanceledException("connect", new TimeoutException()), true, true },
        { "response timeout", ForwarderError.RequestTimedOut, new TaskCanceledException("activity timeout"), false, false },
        { "bad response from the task", ForwarderError.Request, new HttpRequestException(HttpRequestError.InvalidResponse, "invalid"), false, false },
        { "failed while sending the body", ForwarderError.RequestBodyDestination, new IOException("broken pipe"), false, true },
        { "failed while copying the response", ForwarderError.ResponseBodyDestination, new IOException("reset"), false, true },
        { "client went away", ForwarderError.RequestCanceled, new TaskCanceledException(), false, false },
        { "client's body failed", ForwarderError.RequestBodyClient, new IOException("client reset"), false, false },
        { "no tasks", ForwarderError.NoAvailableDestinations, null, false, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Classifies_a_failed_forward(string what, ForwarderError error, Exception? exception, bool beforeResponse, bool transport)
    {
        var feature = new ErrorFeature(error, exception);

        Assert.True(beforeResponse == TransportFailures.FailedBeforeResponse(feature), what);
        Assert.True(transport == TransportFailures.IsTransportFailure(feature), what);
    }

    public static TheoryData<string, ForwarderError, Exception, bool> NodeCases => new()
    {
        // What, YARP's error, its exception, the node did not answer at all.
        { "connect timeout", ForwarderError.RequestTimedOut, new TaskCanceledException("connect", new TimeoutException()), true },
        { "no route to the node", ForwarderError.Request, new HttpRequestException(HttpRequestError.ConnectionError, "unreachable", new SocketException((int)SocketError.HostUnreachable)), true },
        { "refused: the node's kernel answered", ForwarderError.Request, new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException((int)SocketError.ConnectionRefused)), false },
        { "reset", ForwarderError.Request, new HttpRequestException("reset", new IOException("reset", new SocketException((int)SocketError.ConnectionReset))), false },
        { "response timeout", ForwarderError.RequestTimedOut, new TaskCanceledException("activity timeout"), false },
        { "failed while copying the response", ForwarderError.ResponseBodyDestination, new IOException("timed out", new SocketException((int)SocketError.TimedOut)), false },
    };

    [Theory]
    [MemberData(nameof(NodeCases))]
    public void Tells_a_silent_node_from_one_that_answered(string what, ForwarderError error, Exception exception, bool silent) =>
        Assert.True(silent == TransportFailures.NodeSilent(new ErrorFeature(error, exception)), what);

    [Fact]
    public void No_error_is_no_failure()
    {
        Assert.False(TransportFailures.FailedBeforeResponse(null));
        Assert.False(TransportFailures.IsTransportFailure(null));
        Assert.False(TransportFailures.NodeSilent(null));
    }
}
