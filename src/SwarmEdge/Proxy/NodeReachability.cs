using System.Collections.Immutable;
using System.Net;
using SwarmEdge.Admin;
using SwarmEdge.Discovery;

namespace SwarmEdge.Proxy;

/// <summary>Whether the edge reaches a node's tasks: the last verdict, since when, and how many tasks were asked.</summary>
internal sealed record NodeReach(string NodeId, string Hostname, string Address, bool Reachable, DateTimeOffset Since, int TasksAsked, int FailedRounds);

/// <summary>
/// Every Period, asks up to TasksPerNode running tasks of every node Docker reports up for a TCP connection (as
/// StallDetector asks a suspect). A node none of whose tasks answers two rounds in a row while Docker reports them
/// running is unreachable from the edge: the overlay to it is broken (a known Swarm failure after a manager host
/// restarts or a node changes its address), and Swarm, whose control traffic still flows, keeps the node Ready.
/// Said on the dashboard, in swarmedge_node_unreachable{node} and in the log, with the node's name and address.
/// An unreachable node is kept suspect (SuspectNodes: its tasks are tried last); a node whose tasks answer again
/// is cleared at once.
/// </summary>
internal sealed partial class NodeReachability(EdgeStatus status, SuspectNodes suspects, TimeProvider time, ILogger<NodeReachability> logger) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(2);
    private const int TasksPerNode = 3;
    private const int RoundsToFail = 2;

    private volatile IReadOnlyList<NodeReach> _nodes = [];

    /// <summary>The last verdicts, one per node with endpoints (replaced whole after each round).</summary>
    public IReadOnlyList<NodeReach> Nodes => _nodes;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await CheckAsync(stoppingToken);
        }
    }

    internal async Task CheckAsync(CancellationToken stoppingToken)
    {
        var view = status.Current;
        var nodes = view.Nodes ?? ImmutableDictionary<string, SwarmNode>.Empty;
        var byNode = view.Catalog.Services
            .Where(s => s.IsRouted && s.NetworkId != RoutesFile.Network)
            .SelectMany(s => s.Endpoints.Select(e => (Service: s.Id, Endpoint: e)))
            .Where(e => e.Endpoint.NodeId.Length > 0 && nodes.TryGetValue(e.Endpoint.NodeId, out var node) && node.Reachable)
            .GroupBy(e => e.Endpoint.NodeId, StringComparer.Ordinal)
            .ToList();

        var roundStarted = time.GetTimestamp();
        var answers = await Task.WhenAll(byNode.Select(async group =>
        {
            // A spread of tasks, not always the same first ones, of as many services as the node runs: a task that
            // answers nothing on its own is not its node, and one tenant's silent tasks must not make it look lost.
            var shuffled = group.OrderBy(_ => Random.Shared.Next()).ToList();
            var asked = shuffled.DistinctBy(e => e.Service).Concat(shuffled)
                .Select(e => e.Endpoint).DistinctBy(e => e.TaskId).Take(TasksPerNode).ToList();
            var answered = await Task.WhenAll(asked.Select(e => TaskReachability.NodeAnswersAsync(new IPEndPoint(e.Address, e.Port), stoppingToken)));
            return (NodeId: group.Key, Asked: asked.Count, Answered: answered.Any(a => a));
        }));

        var now = time.GetUtcNow();
        var previous = _nodes.ToDictionary(n => n.NodeId, StringComparer.Ordinal);
        var next = new List<NodeReach>(answers.Length);
        foreach (var (nodeId, asked, answered) in answers.OrderBy(a => a.NodeId, StringComparer.Ordinal))
        {
            var node = nodes[nodeId];
            var before = previous.GetValueOrDefault(nodeId);
            var failed = answered ? 0 : (before?.FailedRounds ?? 0) + 1;
            var reachable = failed < RoundsToFail;
            var since = before is not null && before.Reachable == reachable ? before.Since : now;
            next.Add(new NodeReach(nodeId, node.Hostname, node.Address, reachable, since, asked, failed));
            if (before is not null && before.Reachable != reachable || before is null && !reachable)
            {
                if (reachable)
                {
                    Log.Reachable(logger, node.Hostname, node.Address);
                }
                else
                {
                    Log.Unreachable(logger, node.Hostname, node.Address, asked);
                }
            }

            SwarmEdgeMetrics.NodeUnreachable.WithLabels(node.Hostname).Set(reachable ? 0 : 1);
            if (answered)
            {
                suspects.Clear(nodeId, asked: roundStarted);
            }
            else if (!reachable)
            {
                suspects.Suspect(nodeId, null, $"none of {asked} of its tasks answers a connection");
            }
        }

        // The gauge is by host name: a name no node holds any more goes (a node that rejoined under a new ID keeps it).
        foreach (var gone in previous.Values.Select(p => p.Hostname).Except(next.Select(n => n.Hostname), StringComparer.Ordinal))
        {
            SwarmEdgeMetrics.NodeUnreachable.RemoveLabelled(gone);
        }

        _nodes = next;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 360, Level = LogLevel.Warning,
            Message = "Node {Node} ({Address}): none of {Tasks} of its tasks answers a connection while Docker reports them running: the overlay network to this node looks broken")]
        public static partial void Unreachable(ILogger logger, string node, string address, int tasks);

        [LoggerMessage(EventId = 361, Level = LogLevel.Information, Message = "Node {Node} ({Address}): its tasks answer again")]
        public static partial void Reachable(ILogger logger, string node, string address);
    }
}
