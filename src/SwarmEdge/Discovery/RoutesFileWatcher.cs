using Microsoft.Extensions.Options;
using SwarmEdge.Admin;

namespace SwarmEdge.Discovery;

/// <summary>
/// Watches SwarmEdge:Discovery:RoutesFile: reads it at start and whenever its content changes (checked every second:
/// a file replaced by a rename, a Docker config or a bind mount changes under a file watcher's feet, and a small
/// file read once a second costs nothing), and hands what it read, services or error, to the discovery loop.
/// </summary>
internal sealed partial class RoutesFileWatcher(
    DiscoverySignals signals,
    IOptions<SwarmEdgeOptions> options,
    TimeProvider time,
    ILogger<RoutesFileWatcher> logger) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);
    private readonly string _path = options.Value.Discovery.RoutesFile;
    private string? _lastText;
    private string? _lastError;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_path.Length == 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(Period, time);
        do
        {
            await CheckAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One look at the file: sends what it holds when that changed, or its error when that changed.</summary>
    internal async Task CheckAsync(CancellationToken ct)
    {
        string text;
        try
        {
            var info = new FileInfo(_path);
            if (info.Exists && info.Length > RoutesFile.MaxLength)
            {
                Report(RoutesFileRead.Failed($"the file is over {RoutesFile.MaxLength / 1024} KiB"));
                return;
            }

            text = await File.ReadAllTextAsync(_path, ct);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Report(RoutesFileRead.Failed(ex is FileNotFoundException or DirectoryNotFoundException ? "the file does not exist" : ex.Message));
            return;
        }

        if (text == _lastText && _lastError is null)
        {
            return;
        }

        var read = RoutesFile.Parse(text);
        _lastText = text;
        Report(read);
    }

    private void Report(RoutesFileRead read)
    {
        if (read.Error is not null && read.Error == _lastError)
        {
            return;
        }

        if (read.Error is { } error)
        {
            SwarmEdgeMetrics.DiscoveryErrors.WithLabels("routes-file").Inc();
            Log.Failed(logger, _path, error);
            // Read again once it changes, even back to what was last read well.
            _lastText = null;
        }
        else
        {
            Log.Read(logger, _path, read.Services.Length);
        }

        _lastError = read.Error;
        signals.Send(new DiscoverySignal(DiscoverySignalKind.RoutesFileRead, _path, "the routes file changed", RoutesFile: read));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 130, Level = LogLevel.Information, Message = "Routes file {Path}: {Count} services")]
        public static partial void Read(ILogger logger, string path, int count);

        [LoggerMessage(EventId = 131, Level = LogLevel.Warning,
            Message = "Routes file {Path}: {Error}; its last good services keep serving")]
        public static partial void Failed(ILogger logger, string path, string error);
    }
}
