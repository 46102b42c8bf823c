namespace SwarmEdge.BenchTool.Sampling;

/// <summary>A process and its descendants, from every process's parent PID.</summary>
internal static class ProcessTree
{
    /// <summary>Empty when the root process is not among them (it has ended).</summary>
    public static IReadOnlySet<int> Of(int root, IReadOnlyDictionary<int, int> parentOf)
    {
        var tree = new HashSet<int>();
        if (!parentOf.ContainsKey(root))
        {
            return tree;
        }

        var children = parentOf.ToLookup(p => p.Value, p => p.Key);
        var pending = new Stack<int>([root]);
        while (pending.TryPop(out var pid))
        {
            if (tree.Add(pid))
            {
                foreach (var child in children[pid])
                {
                    pending.Push(child);
                }
            }
        }

        return tree;
    }
}
