using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
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
///
/// Silence alone does not tell a lost task from a busy one: a task holding only long polls answers nothing
/// while its peers answer, too. So a suspect is first asked for a TCP connection: a lost node's addresses are
/// black holes and do not answer, a live task's kernel accepts at once, whatever its requests are doing. Only a
/// suspect that does not accept within ProbeTimeout is taken out; one that does is asked again after its
/// service's stall timeout if it is still silent.
/// </summary>
internal sealed partial class StallDetector(
    PendingResponses pending,
    IProxyStateLookup proxyState,
    IDestinationHealthUpdater healthUpdater,
    IOptions<SwarmEdgeOptions> options,
    ILogger<StallDetector> logger) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(250);

    // A live host answers a SYN within a millisecond on a swarm's network; waiting longer would only delay the
    // verdict on a lost node. A live task that misses it is treated as before the probe existed: taken out.
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromMilliseconds(250);

    // Suspects that accepted a connection, and when: not probed again until their stall timeout has passed.
    private readonly Dictionary<string, long> _acceptedAt = new(StringComparer.Ordinal);
    private readonly TimeSpan _defaultTimeout = options.Value.Proxy.StallTimeout;
    private readonly TimeSpan _reactivation = options.Value.Proxy.PassiveHealthReactivation;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Runs even when the default is off: a service may turn stall detection on with its label.
        using var timer = new PeriodicTimer(Period);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var now = Stopwatch.GetTimestamp();
            var suspects = StallPolicy.Stalled(pending.Views(now), TimeoutOf);
            // A task that answered again, or has nothing waiting, is judged afresh the next time it is suspect.
            foreach (var id in _acceptedAt.Keys.Where(id => suspects.All(s => s.TaskId != id)).ToList())
            {
                _acceptedAt.Remove(id);
            }

            var verdicts = await Task.WhenAll(suspects
                .Where(s => !_acceptedAt.TryGetValue(s.TaskId, out var at) || Stopwatch.GetElapsedTime(at, now) >= TimeoutOf(s.Service))
                .Select(s => JudgeAsync(s, stoppingToken)));
            foreach (var (task, destination, accepts) in verdicts)
            {
                if (accepts)
                {
                    _acceptedAt[task.TaskId] = now;
                    Log.SilentButReachable(logger, task.Service, task.TaskId, task.SinceLastResponse);
                    continue;
                }

                if (destination is not null && destination.Health.Passive != DestinationHealth.Unhealthy
                    && proxyState.TryGetCluster(task.Service, out var cluster))
                {
                    healthUpdater.SetPassive(cluster, destination, DestinationHealth.Unhealthy, _reactivation);
                }

                var aborted = pending.Abort([task.TaskId]);
                SwarmEdgeMetrics.StalledTasks.WithLabels(task.Service).Inc();
                Log.Stalled(logger, task.Service, task.TaskId, task.SinceLastResponse, aborted);
            }
        }
    }

    /// <summary>Whether a suspect task still accepts TCP connections (it is busy, not lost).</summary>
    private async Task<(StallPolicy.TaskView Task, DestinationState? Destination, bool Accepts)> JudgeAsync(
        StallPolicy.TaskView task, CancellationToken stoppingToken)
    {
        if (!proxyState.TryGetCluster(task.Service, out var cluster)
            || !cluster.Destinations.TryGetValue(task.TaskId, out var destination)
            || !Uri.TryCreate(destination.Model.Config.Address, UriKind.Absolute, out var address)
            || !IPAddress.TryParse(address.DnsSafeHost, out var ip))
        {
            // Not served any more (it left the rotation meanwhile): nothing to ask, abort what waits on it.
            return (task, null, false);
        }

        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(ip, address.Port), timeout.Token);
            return (task, destination, true);
        }
        catch (Exception ex) when (ex is SocketException || (ex is OperationCanceledException && !stoppingToken.IsCancellationRequested))
        {
            return (task, destination, false);
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

        [LoggerMessage(EventId = 331, Level = LogLevel.Debug,
            Message = "Service {Service}: task {Task} answered nothing for {Silence} while its peers answer, but accepts connections: busy (long polls?), not lost; left in rotation")]
        public static partial void SilentButReachable(ILogger logger, string service, string task, TimeSpan silence);
    }
}
