using System.Globalization;
using Microsoft.Extensions.Options;
using SwarmEdge.Admin;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace SwarmEdge.Proxy;

/// <summary>
/// Ten times a second, looks for tasks suspected of being on a lost node (StallPolicy) and asks each for a
/// TCP connection (TaskReachability). Silence alone does not tell a lost task from a busy one: a task holding
/// only long polls, or slow requests, answers nothing while its peers answer, too; and a task that left the
/// rotation still finishes what it was sent while it stops. Only a suspect whose node does not answer is taken
/// out of the rotation, like after a transport failure, and its waiting retryable requests are aborted so that
/// they are retried on another task: a lost node then costs them about the stall timeout, instead of the ~6 s
/// Docker's DNS needs. A suspect that answers is asked again after its service's stall timeout while it stays
/// suspect. The timeout is SwarmEdge:Proxy:StallTimeout unless the service's swarmedge.http.stall-timeout label
/// sets its own (carried in its cluster's metadata).
/// </summary>
internal sealed partial class StallDetector(
    PendingResponses pending,
    IProxyStateLookup proxyState,
    IDestinationHealthUpdater healthUpdater,
    SuspectNodes suspectNodes,
    TimeProvider time,
    IOptions<SwarmEdgeOptions> options,
    ILogger<StallDetector> logger) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(100);
    private readonly TimeSpan _defaultTimeout = options.Value.Proxy.StallTimeout;
    private readonly TimeSpan _reactivation = options.Value.Proxy.PassiveHealthReactivation;

    // Suspects whose node answered, and when, by cluster and task: not asked again until their service's stall
    // timeout has passed.
    private readonly Dictionary<(string Cluster, string Task), long> _answeredAt = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Runs even when the default is off: a service may turn stall detection on with its label, and departed
        // tasks are looked at in any case.
        using var timer = new PeriodicTimer(Period, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await CheckAsync(stoppingToken);
        }
    }

    /// <summary>One look: probes the suspects that are due, takes out those whose node does not answer.</summary>
    internal async Task CheckAsync(CancellationToken stoppingToken)
    {
        var now = time.GetTimestamp();
        var suspects = StallPolicy.Suspects(pending.Views(now), TimeoutOf);
        foreach (var key in _answeredAt.Keys.Where(key => !suspects.Any(s => (s.Service, s.TaskId) == key)).ToList())
        {
            _answeredAt.Remove(key);
        }

        var due = suspects.Where(s => !_answeredAt.TryGetValue((s.Service, s.TaskId), out var at) || time.GetElapsedTime(at, now) >= Recheck(s));
        var verdicts = await Task.WhenAll(due.Select(async s => (Task: s, Answers: await AnswersAsync(s, stoppingToken))));
        foreach (var (task, answers) in verdicts)
        {
            SwarmEdgeMetrics.StallProbes.WithLabels(task.Service, answers ? "answered" : "lost").Inc();
            if (answers)
            {
                _answeredAt[(task.Service, task.TaskId)] = now;
                Log.SilentButReachable(logger, task.Service, task.TaskId, task.Departed ? "left the rotation" : $"answered nothing for {task.SinceLastResponse}");
                continue;
            }

            if (!task.Departed
                && proxyState.TryGetCluster(task.Service, out var cluster)
                && cluster.Destinations.TryGetValue(task.TaskId, out var destination)
                && destination.Health.Passive != DestinationHealth.Unhealthy)
            {
                healthUpdater.SetPassive(cluster, destination, DestinationHealth.Unhealthy, _reactivation);
            }

            // The node first: the aborted requests are retried at once, and should not go to its other tasks. What
            // waits on those is left to their own check: one task that accepts no connection (a full accept queue,
            // a tenant's own doing) proves nothing about its node-mates' requests, which may have reached them.
            if (NodeOf(task.Service, task.TaskId) is { } node)
            {
                suspectNodes.Suspect(node, task.Service, $"task {task.TaskId} of {task.Service} is lost");
            }

            var aborted = pending.Abort(task.Service, task.TaskId);
            SwarmEdgeMetrics.StalledTasks.WithLabels(task.Service).Inc();
            Log.Lost(logger, task.Service, task.TaskId, task.Departed ? "left the rotation" : $"answered nothing for {task.SinceLastResponse}", aborted);
        }

    }

    private string? NodeOf(string cluster, string taskId) =>
        proxyState.TryGetCluster(cluster, out var state) && state.Destinations.TryGetValue(taskId, out var destination)
            ? SuspectNodes.NodeOf(destination)
            : null;

    private Task<bool> AnswersAsync(StallPolicy.TaskView task, CancellationToken stoppingToken) =>
        pending.AddressOf(task.Service, task.TaskId) is { } address
            ? TaskReachability.NodeAnswersAsync(address, stoppingToken)
            : Task.FromResult(false);

    private TimeSpan Recheck(StallPolicy.TaskView task) =>
        TimeoutOf(task.Service) is var timeout && timeout > TimeSpan.Zero ? timeout : _reactivation;

    private TimeSpan TimeoutOf(string service) =>
        proxyState.TryGetCluster(service, out var cluster)
        && cluster.Model.Config.Metadata?.TryGetValue(ProxyConfigBuilder.StallTimeoutKey, out var value) == true
        && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds)
            ? TimeSpan.FromMilliseconds(milliseconds)
            : _defaultTimeout;

    private static partial class Log
    {
        [LoggerMessage(EventId = 330, Level = LogLevel.Warning,
            Message = "Service {Service}: task {Task} {Why} and its node does not answer; out of rotation, {Aborted} waiting requests retried elsewhere")]
        public static partial void Lost(ILogger logger, string service, string task, string why, int aborted);

        [LoggerMessage(EventId = 331, Level = LogLevel.Debug,
            Message = "Service {Service}: task {Task} {Why}, but its node answers: busy or stopping, not lost; its requests stay")]
        public static partial void SilentButReachable(ILogger logger, string service, string task, string why);
    }
}
