using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace SwarmEdge.Proxy;

/// <summary>
/// Passive health: one transport failure (refused, reset, connect timeout) takes the task out of the rotation
/// at once, for PassiveHealthReactivation; YARP then puts it back on probation. YARP's own policy needs a
/// failure rate over a window (60 s by default), which leaves a dead task in the rotation far too long.
/// A new task is a new destination (destinations are keyed by task ID), so nothing stale carries over.
/// A connect that no one answered also makes the task's node suspect (SuspectNodes): its other tasks are likely
/// black holes too.
/// </summary>
internal sealed partial class TransportFailurePolicy(
    IDestinationHealthUpdater healthUpdater,
    SuspectNodes suspects,
    IOptions<SwarmEdgeOptions> options,
    ILogger<TransportFailurePolicy> logger) : IPassiveHealthCheckPolicy
{
    public const string PolicyName = "SwarmEdgeTransportFailure";

    private readonly TimeSpan _reactivation = options.Value.Proxy.PassiveHealthReactivation;

    public string Name => PolicyName;

    public void RequestProxied(HttpContext context, ClusterState cluster, DestinationState destination)
    {
        var error = context.Features.Get<IForwarderErrorFeature>();
        if (!TransportFailures.IsTransportFailure(error))
        {
            return;
        }

        if (destination.Health.Passive != DestinationHealth.Unhealthy)
        {
            Log.Ejected(logger, cluster.ClusterId, destination.DestinationId, error!.Error, error.Exception?.Message ?? "", _reactivation);
        }

        healthUpdater.SetPassive(cluster, destination, DestinationHealth.Unhealthy, _reactivation);
        if (TransportFailures.NodeSilent(error) && SuspectNodes.NodeOf(destination) is { } node)
        {
            suspects.Suspect(node, cluster.ClusterId, $"task {destination.DestinationId} of {cluster.ClusterId} did not answer a connection");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 310, Level = LogLevel.Warning,
            Message = "Service {Service}: task {Task} out of rotation for {Reactivation} after {Error}: {Reason}")]
        public static partial void Ejected(ILogger logger, string service, string task, ForwarderError error, string reason, TimeSpan reactivation);
    }
}
