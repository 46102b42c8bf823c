using System.Net;
using System.Net.Sockets;

namespace SwarmEdge.Proxy;

/// <summary>
/// Tells a lost node from a slow task: a lost node's task addresses are black holes (a SYN gets no answer),
/// while a live node's kernel answers at once, with a connection when the task listens and with a refusal when
/// it does not (stopping). Whatever the task's requests are doing, neither takes longer than a millisecond on a
/// swarm's network.
/// </summary>
internal static class TaskReachability
{
    /// <summary>Far above a SYN's round trip on an overlay, far below what a lost node's requests would wait.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromMilliseconds(250);

    /// <summary>True when the task's node answered a connection attempt (accepted or refused) in time.</summary>
    public static async Task<bool> NodeAnswersAsync(IPEndPoint task, CancellationToken stoppingToken)
    {
        using var socket = new Socket(task.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            await socket.ConnectAsync(task, timeout.Token);
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return true;
        }
        catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !stoppingToken.IsCancellationRequested))
        {
            return false;
        }
    }
}
