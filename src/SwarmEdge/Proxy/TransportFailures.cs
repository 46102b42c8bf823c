using System.Net.Sockets;
using Yarp.ReverseProxy.Forwarder;

namespace SwarmEdge.Proxy;

/// <summary>
/// Classifies a failed forward. A transport failure means the task could not be reached or dropped the
/// connection: refused, unreachable, connect timeout, reset or closed before any response byte. These say
/// something about the task (passive health) and, before any response byte, are safe to retry elsewhere.
/// </summary>
internal static class TransportFailures
{
    /// <summary>The forward failed before the task sent a response byte, for a reason that is the task's.</summary>
    public static bool FailedBeforeResponse(IForwarderErrorFeature? error) => error?.Error switch
    {
        ForwarderError.Request => IsTransport(error.Exception),
        // YARP reports the connect timeout as a timeout; the connection never opened, so nothing was sent.
        ForwarderError.RequestTimedOut => IsConnectTimeout(error.Exception),
        _ => false,
    };

    /// <summary>Any failure to talk to the task, at whatever stage (for passive health).</summary>
    public static bool IsTransportFailure(IForwarderErrorFeature? error) => error?.Error switch
    {
        ForwarderError.Request => IsTransport(error.Exception),
        ForwarderError.RequestTimedOut => IsConnectTimeout(error.Exception),
        ForwarderError.ResponseBodyDestination or ForwarderError.RequestBodyDestination => true,
        _ => false,
    };

    /// <summary>The task's kernel refused the connection: nothing listens on its port (yet, or any more).</summary>
    public static bool Refused(IForwarderErrorFeature? error) =>
        RequestFailedWith(error, static e => e.SocketErrorCode == SocketError.ConnectionRefused);

    /// <summary>
    /// The task's node did not answer at all: the connect timed out (no SYN-ACK, no refusal) or the kernel found
    /// no route to it. A refused or reset connection is a live node's answer.
    /// </summary>
    public static bool NodeSilent(IForwarderErrorFeature? error) =>
        error?.Error == ForwarderError.RequestTimedOut
            ? IsConnectTimeout(error.Exception)
            : RequestFailedWith(error, NoAnswerFromNode);

    /// <summary>Whether a failed request's exception chain holds a socket error of that kind.</summary>
    private static bool RequestFailedWith(IForwarderErrorFeature? error, Func<SocketException, bool> kind)
    {
        for (var e = error?.Error == ForwarderError.Request ? error.Exception : null; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket && kind(socket))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A connect that found no route to the task's node, or no answer from it (HTTP and TCP routes alike).</summary>
    public static bool NoAnswerFromNode(SocketException e) =>
        e.SocketErrorCode is SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.TimedOut;

    /// <summary>SocketsHttpHandler's ConnectTimeout surfaces as a cancellation wrapping a TimeoutException.</summary>
    private static bool IsConnectTimeout(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is TimeoutException)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsTransport(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.ResponseEnded }:
                case SocketException:
                case TimeoutException:
                case IOException:
                    return true;
            }
        }

        return false;
    }
}
