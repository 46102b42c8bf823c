using System.Collections.Concurrent;

namespace SwarmEdge.Proxy;

/// <summary>
/// A destination's metadata naming its task's node. One read-only instance per node, shared by every destination
/// of every rebuild: a swarm has a few nodes and many tasks, and rebuilds happen on every change.
/// </summary>
internal static class NodeMetadata
{
    private static readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, string>> ByNode = new(StringComparer.Ordinal);

    public static IReadOnlyDictionary<string, string> Of(string nodeId)
    {
        if (ByNode.TryGetValue(nodeId, out var known))
        {
            return known;
        }

        // Nodes that left keep their entry; a swarm replacing its nodes for years starts over now and then.
        if (ByNode.Count > 10_000)
        {
            ByNode.Clear();
        }

        return ByNode.GetOrAdd(nodeId, static id => new Dictionary<string, string>(1, StringComparer.Ordinal) { [SuspectNodes.NodeMetadataKey] = id });
    }
}
