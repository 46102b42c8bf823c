using System.Threading.Channels;
using Microsoft.Extensions.Options;
using SwarmEdge.Admin;

namespace SwarmEdge.Proxy.AccessLogs;

/// <summary>
/// Writes the lines off the request path: requests hand their line to a bounded queue and go on; one task writes
/// them in batches to standard output or the file. A full queue drops lines (counted in
/// swarmedge_access_log_dropped_total) rather than slow a request.
/// </summary>
internal sealed partial class AccessLogWriter : BackgroundService
{
    private readonly AccessLogOptions _options;
    private readonly ILogger<AccessLogWriter> _logger;
    private readonly Channel<byte[]> _lines;

    public AccessLogWriter(IOptions<SwarmEdgeOptions> options, ILogger<AccessLogWriter> logger)
    {
        _options = options.Value.AccessLog;
        _logger = logger;
        _lines = Channel.CreateBounded<byte[]>(
            new BoundedChannelOptions(Math.Max(1, _options.QueueLength)) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true },
            static _ => SwarmEdgeMetrics.AccessLogDropped.Inc());
    }

    public void Write(byte[] line) => _lines.Writer.TryWrite(line);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        await using var output = new BufferedStream(_options.Path.Length > 0
            ? new FileStream(_options.Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)
            : Console.OpenStandardOutput(), 64 * 1024);
        var reader = _lines.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                await WriteBatchAsync(reader, output);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is queued still goes out.
            await WriteBatchAsync(reader, output);
        }
    }

    private async Task WriteBatchAsync(ChannelReader<byte[]> reader, Stream output)
    {
        try
        {
            while (reader.TryRead(out var line))
            {
                await output.WriteAsync(line);
            }

            await output.FlushAsync();
        }
        catch (IOException ex)
        {
            // A full disk or a closed pipe loses lines, not requests; said once per batch that failed.
            Log.WriteFailed(_logger, ex.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1200, Level = LogLevel.Warning, Message = "Access log lines could not be written: {Error}")]
        public static partial void WriteFailed(ILogger logger, string error);
    }
}
