using System.Net;
using Microsoft.AspNetCore.Connections;
using SwarmEdge.Admin;

namespace SwarmEdge.Proxy.ProxyProtocol;

/// <summary>
/// SwarmEdge:Proxy:ProxyProtocol on every listener, as Kestrel connection middleware: a connection from one of
/// SwarmEdge:Proxy:TrustedProxies must start with a PROXY protocol header (version 1 or 2, as HAProxy and cloud
/// load balancers send it), and the client it names is then the connection's peer for everything after it: limits,
/// ip-allow, X-Forwarded-For to the tasks, access logs, TCP routes. Such a connection without a valid header within
/// the request headers timeout is closed: a balancer configured to send one always does, so anything else is a
/// mistake to see at once. A connection from anyone else is never read for a header: a client cannot name itself
/// (its "PROXY ..." is an HTTP request line, answered 400).
/// </summary>
internal sealed partial class ProxyProtocolReader(IReadOnlyList<IPNetwork> trusted, TimeSpan timeout, ILogger<ProxyProtocolReader> logger)
{
    public ConnectionDelegate Wrap(ConnectionDelegate next) => async connection =>
    {
        if (connection.RemoteEndPoint is not IPEndPoint peer || !IsTrusted(peer.Address))
        {
            await next(connection);
            return;
        }

        using var deadline = new CancellationTokenSource(timeout);
        using var closed = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, connection.ConnectionClosed);
        var input = connection.Transport.Input;
        ProxyHeaderResult header;
        try
        {
            while (true)
            {
                var read = await input.ReadAsync(closed.Token);
                header = ProxyHeader.Read(read.Buffer);
                if (header.Status == ProxyHeaderStatus.Read)
                {
                    input.AdvanceTo(read.Buffer.GetPosition(header.Length));
                    break;
                }

                input.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                if (header.Status == ProxyHeaderStatus.Invalid || read.IsCompleted)
                {
                    Refuse(peer, header.Error ?? "the connection closed before its PROXY protocol header ended");
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            Refuse(peer, $"no PROXY protocol header within {timeout.TotalSeconds:0.#} s");
            return;
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (header.Client is { } client)
        {
            connection.RemoteEndPoint = client;
        }

        await next(connection);
    };

    private bool IsTrusted(IPAddress address)
    {
        var mapped = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        foreach (var network in trusted)
        {
            if (network.Contains(mapped))
            {
                return true;
            }
        }

        return false;
    }

    private void Refuse(IPEndPoint peer, string error)
    {
        SwarmEdgeMetrics.ProxyProtocolRefused.Inc();
        Log.Refused(logger, peer.Address.ToString(), error);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 345, Level = LogLevel.Warning,
            Message = "Closed a connection from trusted proxy {Peer}: {Error} (SwarmEdge:Proxy:ProxyProtocol)")]
        public static partial void Refused(ILogger logger, string peer, string error);
    }
}
