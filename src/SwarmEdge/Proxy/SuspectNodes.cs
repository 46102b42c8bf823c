using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using SwarmEdge.Admin;
using Yarp.ReverseProxy.Model;

namespace SwarmEdge.Proxy;

/// <summary>
/// Nodes the edge has just seen fail to answer: a connect to one of their tasks timed out, the stall detector
/// found one of their tasks lost, or NodeReachability found none of their tasks answering. A lost node's tasks
/// are black holes that each cost a request the connect timeout, and passive health learns them one task at a
/// time; a suspect node's tasks are tried last, by first attempts and retries alike, until a probe of the node
/// answers or PassiveHealthReactivation has passed. Tasks carry their node in their destination's metadata
/// (NodeMetadataKey). Nothing is suspect almost always, and then nothing is asked per request.
/// </summary>
internal sealed partial class SuspectNodes(EdgeStatus status, TimeProvider time, IOptions<SwarmEdgeOptions> options, ILogger<SuspectNodes> logger)
{
    public const string NodeMetadataKey = "swarmedge.node";

    private readonly TimeSpan _hold = options.Value.Proxy.PassiveHealthReactivation;
    // By node ID: since when (timestamp) and until when it is suspect.
    private ImmutableDictionary<string, (long Since, long Until)> _until = ImmutableDictionary<string, (long, long)>.Empty.WithComparers(StringComparer.Ordinal);

    private readonly Lock _suspecting = new();

    /// <summary>
    /// Whether any node is suspect now. Expired entries are dropped here: a node that left the swarm is never asked
    /// about again, and would otherwise keep every request on the slower path.
    /// </summary>
    public bool Any
    {
        get
        {
            var until = Volatile.Read(ref _until);
            if (until.IsEmpty)
            {
                return false;
            }

            var now = time.GetTimestamp();
            foreach (var (_, entry) in until)
            {
                if (now < entry.Until)
                {
                    return true;
                }
            }

            ImmutableInterlocked.Update(ref _until, static (d, now) => d.RemoveRange(d.Where(e => now >= e.Value.Until).Select(e => e.Key)), now);
            return false;
        }
    }

    /// <summary>Makes a node suspect for PassiveHealthReactivation from now (again, if it already was).</summary>
    public void Suspect(string nodeId, string why)
    {
        if (nodeId.Length == 0)
        {
            return;
        }

        bool wasSuspect;
        lock (_suspecting)
        {
            // Rare (failures only), and several requests find the same node silent at once: one says so.
            var now = time.GetTimestamp();
            wasSuspect = IsSuspect(nodeId, now);
            var until = (now, now + (long)(_hold.TotalSeconds * time.TimestampFrequency));
            ImmutableInterlocked.AddOrUpdate(ref _until, nodeId, until, (_, _) => until);
        }

        if (!wasSuspect)
        {
            Log.Suspected(logger, NameOf(nodeId), why, _hold);
        }
    }

    /// <summary>
    /// A probe of the node sent at <paramref name="asked"/> (a timestamp) answered: its tasks are tried like any
    /// others again, unless it was made suspect after the probe was sent.
    /// </summary>
    public void Clear(string nodeId, long asked)
    {
        var cleared = false;
        ImmutableInterlocked.Update(ref _until, (d, arg) =>
        {
            cleared = d.TryGetValue(arg.nodeId, out var entry) && entry.Since < arg.asked;
            return cleared ? d.Remove(arg.nodeId) : d;
        }, (nodeId, asked));
        if (cleared)
        {
            Log.Cleared(logger, NameOf(nodeId));
        }
    }

    public bool IsSuspect(DestinationState destination) =>
        NodeOf(destination) is { } node && IsSuspect(node);

    public bool IsSuspect(string nodeId) => nodeId.Length > 0 && IsSuspect(nodeId, time.GetTimestamp());

    public static string? NodeOf(DestinationState destination) =>
        destination.Model.Config.Metadata?.GetValueOrDefault(NodeMetadataKey);

    /// <summary>
    /// The tasks to try next: healthy ones on nodes not suspected, else healthy ones, else all (a verdict that
    /// takes out every task must not take out the service).
    /// </summary>
    public IReadOnlyList<DestinationState> Prefer(IReadOnlyList<DestinationState> candidates, Func<DestinationState, bool> isHealthy)
    {
        var now = time.GetTimestamp();
        var preferred = candidates.Where(d => isHealthy(d) && !(NodeOf(d) is { } node && IsSuspect(node, now))).ToList();
        return preferred.Count > 0 ? preferred : HealthyFirst.Choose(candidates, isHealthy);
    }

    private string NameOf(string nodeId) =>
        status.Current.Nodes?.GetValueOrDefault(nodeId) is { } node ? $"{node.Hostname} ({node.Address})" : nodeId;

    private bool IsSuspect(string nodeId, long now)
    {
        var until = Volatile.Read(ref _until);
        if (!until.TryGetValue(nodeId, out var entry))
        {
            return false;
        }

        if (now < entry.Until)
        {
            return true;
        }

        // Expired: forgotten, so that the per-request check is skipped again once no node is suspect (unless the
        // node was made suspect again meanwhile).
        ImmutableInterlocked.Update(ref _until, static (d, arg) => d.TryGetValue(arg.nodeId, out var e) && e == arg.entry ? d.Remove(arg.nodeId) : d, (nodeId, entry));
        return false;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 370, Level = LogLevel.Warning,
            Message = "Node {Node} is suspect ({Why}): its tasks are tried last for up to {Hold}")]
        public static partial void Suspected(ILogger logger, string node, string why, TimeSpan hold);

        [LoggerMessage(EventId = 371, Level = LogLevel.Information, Message = "Node {Node} answers again: its tasks are tried like the others")]
        public static partial void Cleared(ILogger logger, string node);
    }
}
