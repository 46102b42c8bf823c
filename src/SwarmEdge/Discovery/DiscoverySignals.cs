using System.Threading.Channels;

namespace SwarmEdge.Discovery;

internal enum DiscoverySignalKind
{
    /// <summary>Re-read everything: start, event stream (re)connected, node changes.</summary>
    FullRead,

    /// <summary>Re-read one service and its tasks. Subject is the service ID.</summary>
    ServiceRead,

    /// <summary>Docker's DNS answer for a service changed. Subject is the service name.</summary>
    DnsChanged,
}

internal readonly record struct DiscoverySignal(DiscoverySignalKind Kind, string? Subject, string Reason);

/// <summary>
/// Observers tell the discovery loop WHEN to look; the loop alone decides what to read. Unbounded because
/// signals are tiny and the loop coalesces a burst into one read.
/// </summary>
internal sealed class DiscoverySignals
{
    private readonly Channel<DiscoverySignal> _channel =
        Channel.CreateUnbounded<DiscoverySignal>(new UnboundedChannelOptions { SingleReader = true });

    public ChannelReader<DiscoverySignal> Reader => _channel.Reader;

    public void Send(DiscoverySignal signal) => _channel.Writer.TryWrite(signal);
}
