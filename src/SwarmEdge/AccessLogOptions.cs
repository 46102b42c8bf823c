namespace SwarmEdge;

/// <summary>
/// One line per request (SwarmEdge:AccessLog). With filters set, a line is kept when its status is in
/// StatusCodes, or the request was retried, or it took at least MinDuration; the other lines are kept at
/// SampleRate (1: all, 0.01: one in a hundred, 0: none). Without filters every line is a candidate for sampling.
/// </summary>
internal sealed class AccessLogOptions
{
    public bool Enabled { get; set; }

    /// <summary>json (default), common or combined (Apache's formats, with route, task and duration appended).</summary>
    public string Format { get; set; } = "json";

    /// <summary>A file the lines are appended to; empty: standard output.</summary>
    public string Path { get; set; } = "";

    /// <summary>Status codes and ranges always kept, such as "400-599" or "404,500-599"; empty: no status filter.</summary>
    public string StatusCodes { get; set; } = "";

    /// <summary>Requests at least this long are always kept; zero: no duration filter.</summary>
    public TimeSpan MinDuration { get; set; }

    /// <summary>The share of the other lines kept.</summary>
    public double SampleRate { get; set; } = 1;

    /// <summary>Lines waiting to be written; past it lines are dropped (and counted), never the request held.</summary>
    public int QueueLength { get; set; } = 16_384;
}
