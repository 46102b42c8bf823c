namespace SwarmEdge;

/// <summary>Defaults for retrying a request on another task; services override them with labels.</summary>
internal sealed class RetryOptions
{
    /// <summary>Attempts in all, the first one included. 1 turns retries off.</summary>
    public int Attempts { get; set; } = 3;

    /// <summary>
    /// No retry starts once this much time has passed since the request arrived. Generous, because a request
    /// stuck on a lost node is only freed when the node's loss is seen (Docker's DNS: about 6 s).
    /// </summary>
    public TimeSpan Budget { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// When every task left to try refused the connection, the request tries them again after 50 ms, 100 ms,
    /// 200 ms, then every 400 ms, for up to this long in all. Swarm reports a task running as soon as its
    /// container starts, before its program listens, and during a stop-first rolling update without a health
    /// check that new task can be the only one left. Zero turns the wait off.
    /// </summary>
    public TimeSpan RefusedWait { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Methods that are safe to send twice (default GET, HEAD, OPTIONS).</summary>
    public List<string> Methods { get; set; } = [];

    /// <summary>A retryable request with a body up to this size is buffered so it can be sent again.</summary>
    public int MaxBufferedBodyBytes { get; set; } = 64 * 1024;
}
