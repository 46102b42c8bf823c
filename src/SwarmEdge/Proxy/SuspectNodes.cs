using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using SwarmEdge.Admin;
using Yarp.ReverseProxy.Model;

namespace SwarmEdge.Proxy;

/// <summary>
/// Nodes the edge has just seen fail to answer. A lost node's tasks are black holes that each cost a request the
/// connect timeout, and passive health learns them one task at a time; a suspect node's tasks are tried last, by
/// first attempts and retries alike, until a probe of the node answers or PassiveHealthReactivation has passed.
/// What one service's task did (a connect nobody answered, a request the stall detector found lost) makes the
/// node suspect for that service's traffic only: a task can be made silent on purpose (an accept queue left
/// full), and one tenant must not move every other tenant's traffic off a node. NodeReachability's verdict (tasks
/// of several services asked, none answered) makes it suspect for all. Tasks carry their node in their
/// destination's metadata (NodeMetadataKey). Nothing is suspect almost always, and then nothing is asked per request.
/// </summary>
internal sealed partial class SuspectNodes(EdgeStatus status, TimeProvider time, IOptions<SwarmEdgeOptions> options, ILogger<SuspectNodes> logger)
{
    public const string NodeMetadataKey = "swarmedge.node";

    private readonly TimeSpan _hold = options.Value.Proxy.PassiveHealthReactivation;

    // By node ID and scope (the cluster or TCP service whose task failed; "" for every service): since when
    // (timestamp) and until when it is suspect.
    private ImmutableDictionary<(string Node, string Scope), (long Since, long Until)> _until = ImmutableDictionary<(string, string), (long, long)>.Empty;

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

    /// <summary>
    /// Makes a node suspect for PassiveHealthReactivation from now (again, if it already was): for the traffic of
    /// <paramref name="scope"/> (the cluster or TCP service that saw its task fail), or of every service when null.
    /// </summary>
    public void Suspect(string nodeId, string? scope, string why)
    {
        if (nodeId.Length == 0)
        {
            return;
        }

        var key = (nodeId, scope ?? "");
        bool wasSuspect;
        lock (_suspecting)
        {
            // Rare (failures only), and several requests find the same node silent at once: one says so.
            var now = time.GetTimestamp();
            wasSuspect = IsSuspect(key, now);
            var until = (now, now + (long)(_hold.TotalSeconds * time.TimestampFrequency));
            ImmutableInterlocked.AddOrUpdate(ref _until, key, until, (_, _) => until);
        }

        if (wasSuspect)
        {
            return;
        }

        if (scope is null)
        {
            Log.Suspected(logger, NameOf(nodeId), why, _hold);
        }
        else
        {
            Log.SuspectedFor(logger, NameOf(nodeId), scope, why, _hold);
        }
    }

    /// <summary>
    /// A probe of the node sent at <paramref name="asked"/> (a timestamp) answered: its tasks are tried like any
    /// others again, by every service, unless a suspicion came after the probe was sent.
    /// </summary>
    public void Clear(string nodeId, long asked)
    {
        var cleared = false;
        ImmutableInterlocked.Update(ref _until, (d, arg) =>
        {
            var answered = d.Where(e => e.Key.Node == arg.nodeId && e.Value.Since < arg.asked).Select(e => e.Key).ToList();
            cleared = answered.Count > 0;
            return cleared ? d.RemoveRange(answered) : d;
        }, (nodeId, asked));
        if (cleared)
        {
            Log.Cleared(logger, NameOf(nodeId));
        }
    }

    /// <summary>Whether the task is on a node suspect for <paramref name="scope"/>'s traffic (or for everyone's).</summary>
    public bool IsSuspect(DestinationState destination, string scope) =>
        NodeOf(destination) is { } node && IsSuspect(node, scope);

    public bool IsSuspect(string nodeId, string scope)
    {
        if (nodeId.Length == 0)
        {
            return false;
        }

        var now = time.GetTimestamp();
        return IsSuspect((nodeId, ""), now) || IsSuspect((nodeId, scope), now);
    }

    public static string? NodeOf(DestinationState destination) =>
        destination.Model.Config.Metadata?.GetValueOrDefault(NodeMetadataKey);

    /// <summary>
    /// The tasks to try next for <paramref name="scope"/>'s traffic: healthy ones on nodes not suspected, else
    /// healthy ones, else all (a verdict that takes out every task must not take out the service).
    /// </summary>
    public IReadOnlyList<DestinationState> Prefer(IReadOnlyList<DestinationState> candidates, string scope, Func<DestinationState, bool> isHealthy)
    {
        var preferred = candidates.Where(d => isHealthy(d) && !IsSuspect(d, scope)).ToList();
        return preferred.Count > 0 ? preferred : HealthyFirst.Choose(candidates, isHealthy);
    }

    private string NameOf(string nodeId) =>
        status.Current.Nodes?.GetValueOrDefault(nodeId) is { } node ? $"{node.Hostname} ({node.Address})" : nodeId;

    private bool IsSuspect((string Node, string Scope) key, long now)
    {
        var until = Volatile.Read(ref _until);
        if (!until.TryGetValue(key, out var entry))
        {
            return false;
        }

        if (now < entry.Until)
        {
            return true;
        }

        // Expired: forgotten, so that the per-request check is skipped again once no node is suspect (unless the
        // node was made suspect again meanwhile).
        ImmutableInterlocked.Update(ref _until, static (d, arg) => d.TryGetValue(arg.key, out var e) && e == arg.entry ? d.Remove(arg.key) : d, (key, entry));
        return false;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 370, Level = LogLevel.Warning,
            Message = "Node {Node} is suspect ({Why}): its tasks are tried last for up to {Hold}")]
        public static partial void Suspected(ILogger logger, string node, string why, TimeSpan hold);

        [LoggerMessage(EventId = 372, Level = LogLevel.Warning,
            Message = "Node {Node} is suspect for {Scope} ({Why}): its tasks are tried last by {Scope} for up to {Hold}")]
        public static partial void SuspectedFor(ILogger logger, string node, string scope, string why, TimeSpan hold);

        [LoggerMessage(EventId = 371, Level = LogLevel.Information, Message = "Node {Node} answers again: its tasks are tried like the others")]
        public static partial void Cleared(ILogger logger, string node);
    }
}
