namespace SwarmEdge.Proxy.AccessLogs;

/// <summary>Which lines are written (see AccessLogOptions): the filters keep, sampling thins out the rest.</summary>
internal sealed class AccessLogFilter
{
    private readonly (int From, int To)[] _statuses;
    private readonly TimeSpan _minDuration;
    private readonly double _sampleRate;

    private AccessLogFilter((int From, int To)[] statuses, TimeSpan minDuration, double sampleRate)
    {
        _statuses = statuses;
        _minDuration = minDuration;
        _sampleRate = sampleRate;
    }

    /// <summary>The filter, or null with the reason StatusCodes cannot be read.</summary>
    public static (AccessLogFilter? Filter, string? Error) From(AccessLogOptions options)
    {
        var ranges = new List<(int, int)>();
        foreach (var part in options.StatusCodes.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var bounds = part.Split('-', 2, StringSplitOptions.TrimEntries);
            if (!int.TryParse(bounds[0], out var from) || !int.TryParse(bounds[^1], out var to) || from is < 100 or > 599 || to < from || to > 599)
            {
                return (null, $"SwarmEdge:AccessLog:StatusCodes \"{options.StatusCodes}\": \"{part}\" is not a status code or a range such as 500-599");
            }

            ranges.Add((from, to));
        }

        if (options.SampleRate is < 0 or > 1 || double.IsNaN(options.SampleRate))
        {
            return (null, $"SwarmEdge:AccessLog:SampleRate {options.SampleRate} is not a share from 0 to 1");
        }

        return options.MinDuration < TimeSpan.Zero
            ? (null, $"SwarmEdge:AccessLog:MinDuration {options.MinDuration} is negative")
            : (new AccessLogFilter([.. ranges], options.MinDuration, options.SampleRate), null);
    }

    /// <param name="draw">A number in [0, 1) for sampling.</param>
    public bool Keeps(int status, int retries, TimeSpan duration, double draw)
    {
        var filtered = _statuses.Length > 0 || _minDuration > TimeSpan.Zero;
        if (filtered && (retries > 0 || (_minDuration > TimeSpan.Zero && duration >= _minDuration) || Array.Exists(_statuses, r => status >= r.From && status <= r.To)))
        {
            return true;
        }

        return draw < _sampleRate;
    }
}
