using System.Threading.Channels;

namespace SwarmEdge.Discovery;

/// <summary>
/// Observers push what they saw; the discovery loop alone decides what to read and what to rebuild. Unbounded
/// because signals are tiny and the loop coalesces a burst into one read.
/// </summary>
internal sealed class DiscoverySignals
{
    private readonly Channel<DiscoverySignal> _channel =
        Channel.CreateUnbounded<DiscoverySignal>(new UnboundedChannelOptions { SingleReader = true });

    public ChannelReader<DiscoverySignal> Reader => _channel.Reader;

    public void Send(DiscoverySignal signal) => _channel.Writer.TryWrite(signal);
}
