namespace SwarmEdge.Proxy;

/// <summary>
/// The waits between rounds of connects to a service whose tasks all refused, for HTTP requests and TCP connections
/// alike: short at first (a task that binds late is usually tens of milliseconds away), then doubling to a cap, so a
/// long wait asks a few times a second.
/// </summary>
internal static class RefusedBackoff
{
    public static readonly TimeSpan First = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan Longest = TimeSpan.FromMilliseconds(400);

    /// <summary>The wait after the last one (zero: the first wait).</summary>
    public static TimeSpan Next(TimeSpan last) =>
        last == TimeSpan.Zero ? First : TimeSpan.FromTicks(Math.Min(last.Ticks * 2, Longest.Ticks));
}
