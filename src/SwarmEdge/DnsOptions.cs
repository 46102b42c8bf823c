namespace SwarmEdge;

internal sealed class DnsOptions
{
    /// <summary>
    /// DNS server that answers tasks.&lt;service&gt; (Docker's embedded DNS: 127.0.0.11 inside a container on the
    /// overlay). Empty: the DNS source is off and endpoints come from the Docker API only.
    /// </summary>
    public string Server { get; set; } = "";

    /// <summary>How often tasks.&lt;service&gt; is re-resolved. Docker's TTL (600 s) is never honoured.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan Timeout { get; set; } = TimeSpan.FromMilliseconds(500);
}
