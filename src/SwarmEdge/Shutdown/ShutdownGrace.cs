using Microsoft.Extensions.Options;

namespace SwarmEdge.Shutdown;

/// <summary>
/// The first step of stopping, before the listeners close: readiness turns to "draining", HTTP/1.1 responses
/// ask their clients to reconnect (Connection: close), and everything keeps being served for the grace. Then
/// the host stops as usual: Kestrel stops accepting, finishes what is in flight (HTTP/2 clients get GOAWAY)
/// and cuts what is left when the drain is over.
/// </summary>
internal sealed partial class ShutdownGrace(IOptions<SwarmEdgeOptions> options, TimeProvider time, ILogger<ShutdownGrace> logger)
    : IHostedLifecycleService
{
    private readonly ShutdownOptions _shutdown = options.Value.Shutdown;
    private volatile bool _draining;

    public bool IsDraining => _draining;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _draining = true;
        Log.Draining(logger, _shutdown.Grace, _shutdown.Drain);
        try
        {
            await Task.Delay(_shutdown.Grace, time, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's own shutdown timeout came first: stop now.
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(EventId = 700, Level = LogLevel.Information,
            Message = "Stopping: not ready any more, still serving for {Grace}; then requests in flight get {Drain} to finish")]
        public static partial void Draining(ILogger logger, TimeSpan grace, TimeSpan drain);
    }
}
