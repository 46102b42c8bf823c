using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using SwarmEdge.Admin;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace SwarmEdge.Proxy;

/// <summary>
/// Four times a second, looks for stalled tasks (StallPolicy): takes each out of the rotation like a transport
/// failure would, and aborts its waiting retryable requests so that they are retried on another task. A lost
/// node then costs in-flight requests about the stall timeout, instead of the ~6 s Docker's DNS needs. The
/// timeout is SwarmEdge:Proxy:StallTimeout unless the service's swarmedge.http.stall-timeout label sets its own
/// (carried in its cluster's metadata).
/// </summary>
internal sealed partial class StallDetector(
    PendingResponses pending,
    IProxyStateLookup proxyState,
    IDestinationHealthUpdater healthUpdater,
    IOptions<SwarmEdgeOptions> options,
    ILogger<StallDetector> logger) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(250);
    private readonly TimeSpan _defaultTimeout = options.Value.Proxy.StallTimeout;
    private readonly TimeSpan _reactivation = options.Value.Proxy.PassiveHealthReactivation;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Runs even when the default is off: a service may turn stall detection on with its label.
        using var timer = new PeriodicTimer(Period);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var task in StallPolicy.Stalled(pending.Views(Stopwatch.GetTimestamp()), TimeoutOf))
            {
                if (proxyState.TryGetCluster(task.Service, out var cluster)
                    && cluster.Destinations.TryGetValue(task.TaskId, out var destination)
                    && destination.Health.Passive != DestinationHealth.Unhealthy)
                {
                    healthUpdater.SetPassive(cluster, destination, DestinationHealth.Unhealthy, _reactivation);
                }

                var aborted = pending.Abort([task.TaskId]);
                SwarmEdgeMetrics.StalledTasks.WithLabels(task.Service).Inc();
                Log.Stalled(logger, task.Service, task.TaskId, task.SinceLastResponse, aborted);
            }
        }
    }

    private TimeSpan TimeoutOf(string service) =>
        proxyState.TryGetCluster(service, out var cluster)
        && cluster.Model.Config.Metadata?.TryGetValue(ProxyConfigBuilder.StallTimeoutKey, out var value) == true
        && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds)
            ? TimeSpan.FromMilliseconds(milliseconds)
            : _defaultTimeout;

    private static partial class Log
    {
        [LoggerMessage(EventId = 330, Level = LogLevel.Warning,
            Message = "Service {Service}: task {Task} answered nothing for {Silence} while its peers answer; out of rotation, {Aborted} waiting requests retried elsewhere")]
        public static partial void Stalled(ILogger logger, string service, string task, TimeSpan silence, int aborted);
    }
}
