namespace SwarmEdge.Proxy;

/// <summary>
/// Per-request state of a retryable request, shared by the retry middleware (the request's thread) and the
/// pending tracker (StallDetector's thread, or the config applier's, aborts the attempt).
/// </summary>
internal sealed class RetryState
{
    private volatile bool _attemptAborted;
    private int _retries;

    /// <summary>Attempts after the first (the access log's retries).</summary>
    public int Retries => Volatile.Read(ref _retries);

    /// <summary>The current attempt was aborted by us (its task left, or stalled on a lost node) before any response byte.</summary>
    public bool AttemptAborted => _attemptAborted;

    public void MarkAborted() => _attemptAborted = true;

    /// <summary>A new attempt starts: the previous one has ended, nothing can abort it any more.</summary>
    public void NextAttempt()
    {
        _attemptAborted = false;
        Interlocked.Increment(ref _retries);
    }
}
