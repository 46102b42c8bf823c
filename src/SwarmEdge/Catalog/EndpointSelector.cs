using System.Collections.Immutable;
using SwarmEdge.Discovery;

namespace SwarmEdge.Catalog;

/// <summary>
/// Combines the two views of a service's tasks into the endpoints that get traffic.
///
/// The task list (Docker API) is authoritative for what exists: only tasks whose desired state is running and
/// whose actual state is running, on a node the manager does not see as down, are candidates. A task leaves that list
/// the moment the orchestrator decides to stop it, about 2 s before its SIGTERM, and a new task enters it as
/// soon as it runs. But the list is only as fresh as the last read.
///
/// Docker's DNS (tasks.&lt;service&gt;) is fresher for removals: the agent deletes a stopping or unhealthy task's
/// record before it signals the task, and we re-resolve it twice a second. DNS is only allowed to REMOVE a
/// task it has listed before ("confirmed"): a task that just started may not be in a remote node's DNS yet,
/// and a server that answers nothing useful (wrong server, NXDOMAIN) must not empty a service.
/// </summary>
internal static class EndpointSelector
{
    public readonly record struct Selection(ImmutableArray<TaskEndpoint> Endpoints, IReadOnlySet<string> ConfirmedTaskIds);

    /// <summary>
    /// A service of the routes file: each address is an endpoint, named by its service and address (a destination
    /// that keeps its ID across reloads keeps its health; two services on one address are two endpoints).
    /// </summary>
    public static ImmutableArray<TaskEndpoint> Static(string service, EquatableArray<System.Net.IPAddress> addresses, int port) =>
        [.. addresses.Select(a => new TaskEndpoint($"{service}/{a}", "", a, port)).OrderBy(e => e.TaskId, StringComparer.Ordinal)];

    public static Selection Select(
        ImmutableArray<SwarmTask> tasks,
        string networkId,
        int port,
        IReadOnlyDictionary<string, SwarmNode> nodes,
        DnsAnswer? dns,
        IReadOnlySet<string> previouslyConfirmed)
    {
        // Sorted by task ID so that the same tasks always give the same endpoints, whatever order Docker listed them
        // in. The reader sorts them already: a rebuild of every service copies none.
        var ordered = tasks.AsSpan();
        if (!IsSorted(ordered))
        {
            var copy = ordered.ToArray();
            Array.Sort(copy, static (a, b) => string.CompareOrdinal(a.Id, b.Id));
            ordered = copy;
        }

        var endpoints = ImmutableArray.CreateBuilder<TaskEndpoint>(ordered.Length);
        var confirmed = new HashSet<string>(ordered.Length, StringComparer.Ordinal);

        foreach (var task in ordered)
        {
            if (task.State != "running"
                || !task.Addresses.TryGetValue(networkId, out var address)
                || (nodes.TryGetValue(task.NodeId, out var node) && !node.Reachable))
            {
                continue;
            }

            var wasConfirmed = previouslyConfirmed.Contains(task.Id);
            if (dns is { Succeeded: true })
            {
                var inDns = dns.Addresses.Contains(address);
                if (inDns || wasConfirmed)
                {
                    confirmed.Add(task.Id);
                }

                if (wasConfirmed && !inDns)
                {
                    // DNS listed this task before and dropped it: it is stopping or unhealthy.
                    continue;
                }
            }
            else if (wasConfirmed)
            {
                confirmed.Add(task.Id);
            }

            endpoints.Add(new TaskEndpoint(task.Id, task.NodeId, address, port));
        }

        return new Selection(endpoints.DrainToImmutable(), confirmed);
    }

    private static bool IsSorted(ReadOnlySpan<SwarmTask> tasks)
    {
        for (var i = 1; i < tasks.Length; i++)
        {
            if (string.CompareOrdinal(tasks[i - 1].Id, tasks[i].Id) > 0)
            {
                return false;
            }
        }

        return true;
    }
}
