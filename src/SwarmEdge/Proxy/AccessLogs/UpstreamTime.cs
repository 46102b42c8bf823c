using System.Diagnostics;

namespace SwarmEdge.Proxy.AccessLogs;

/// <summary>The time a request spent in YARP's forwarder, all attempts together (set per request while access logs are on).</summary>
internal sealed class UpstreamTime
{
    private long _ticks;

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _ticks));

    public void Add(long startedTimestamp) => Interlocked.Add(ref _ticks, Stopwatch.GetTimestamp() - startedTimestamp);

    public void Reset() => _ticks = 0;
}
