using System.Collections.Immutable;

namespace SwarmEdge.Discovery;

/// <summary>
/// Everything the catalog is built from: the last successful reads of each source. Services are kept in ID order,
/// and a read keeps the instances of what it found unchanged: the catalog tells unchanged services apart by
/// reference (their label parse, routes and endpoints are reused), so a read costs what changed, not the swarm's size.
/// </summary>
internal sealed record SwarmSnapshot(
    ImmutableArray<OptedInService> Services,
    ImmutableDictionary<string, ImmutableArray<SwarmTask>> TasksByService,
    ImmutableDictionary<string, SwarmNetwork> Networks,
    ImmutableDictionary<string, SwarmNode> Nodes,
    ImmutableDictionary<string, DnsAnswer> DnsByServiceName)
{
    public static readonly SwarmSnapshot Empty = new(
        [],
        ImmutableDictionary<string, ImmutableArray<SwarmTask>>.Empty,
        ImmutableDictionary<string, SwarmNetwork>.Empty,
        ImmutableDictionary<string, SwarmNode>.Empty,
        ImmutableDictionary<string, DnsAnswer>.Empty);

    public ImmutableArray<SwarmTask> TasksOf(string serviceId) =>
        TasksByService.TryGetValue(serviceId, out var tasks) ? tasks : [];

    /// <summary>A read of the whole swarm (the DNS answers stay).</summary>
    public SwarmSnapshot WithWholeRead(
        IEnumerable<OptedInService> services,
        IReadOnlyDictionary<string, ImmutableArray<SwarmTask>> tasksByService,
        ImmutableDictionary<string, SwarmNetwork> networks,
        ImmutableDictionary<string, SwarmNode> nodes)
    {
        var last = Services.ToDictionary(s => s.Id, StringComparer.Ordinal);
        var read = services.Select(s => Kept(last.GetValueOrDefault(s.Id), s)).OrderBy(s => s.Id, StringComparer.Ordinal).ToImmutableArray();
        var tasks = ImmutableDictionary.CreateBuilder<string, ImmutableArray<SwarmTask>>(StringComparer.Ordinal);
        foreach (var (serviceId, serviceTasks) in tasksByService)
        {
            tasks[serviceId] = Kept(TasksOf(serviceId), serviceTasks);
        }

        return this with
        {
            Services = read.SequenceEqual(Services) ? Services : read,
            TasksByService = tasks.Count == TasksByService.Count && tasks.All(t => TasksByService.TryGetValue(t.Key, out var before) && before == t.Value)
                ? TasksByService
                : tasks.ToImmutable(),
            Networks = SameEntries(Networks, networks) ? Networks : networks,
            Nodes = SameEntries(Nodes, nodes) ? Nodes : nodes,
        };
    }

    /// <summary>One service read again, with its running tasks, in its place (a new service in ID order).</summary>
    public SwarmSnapshot WithService(OptedInService service, ImmutableArray<SwarmTask> tasks, ImmutableDictionary<string, SwarmNetwork> networks)
    {
        var index = IndexOf(service.Id);
        var services = index >= 0
            ? Kept(Services[index], service) is var kept && ReferenceEquals(kept, Services[index]) ? Services : Services.SetItem(index, kept)
            : Services.Insert(~index, service);
        var lastTasks = TasksOf(service.Id);
        var keptTasks = Kept(lastTasks, tasks);
        return this with
        {
            Services = services,
            TasksByService = keptTasks == lastTasks && TasksByService.ContainsKey(service.Id) ? TasksByService : TasksByService.SetItem(service.Id, keptTasks),
            Networks = SameEntries(Networks, networks) ? Networks : networks,
        };
    }

    /// <summary>A service that is gone or opted out.</summary>
    public SwarmSnapshot WithoutService(string serviceId) =>
        IndexOf(serviceId) is var index and >= 0
            ? this with { Services = Services.RemoveAt(index), TasksByService = TasksByService.Remove(serviceId) }
            : this with { TasksByService = TasksByService.Remove(serviceId) };

    /// <summary>The service's index, or the bitwise complement of where it would go in ID order.</summary>
    private int IndexOf(string serviceId)
    {
        int low = 0, high = Services.Length - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            var order = string.CompareOrdinal(Services[middle].Id, serviceId);
            if (order == 0)
            {
                return middle;
            }

            (low, high) = order < 0 ? (middle + 1, high) : (low, middle - 1);
        }

        return ~low;
    }

    /// <summary>
    /// The last instance when the service is unchanged; when only its state changed (replicas, an update under way),
    /// the new one with the last labels' instance, whose parse the catalog keeps.
    /// </summary>
    private static OptedInService Kept(OptedInService? last, OptedInService read) =>
        last is null ? read
        : last.Equals(read) ? last
        : last.Labels.Equals(read.Labels) ? read with { Labels = last.Labels }
        : read;

    private static ImmutableArray<SwarmTask> Kept(ImmutableArray<SwarmTask> last, ImmutableArray<SwarmTask> read) =>
        SameTasks(last, read) ? last : read;

    /// <summary>Two task lists with the same tasks in the same order (the reader sorts them).</summary>
    internal static bool SameTasks(ImmutableArray<SwarmTask> a, ImmutableArray<SwarmTask> b) =>
        a == b || a.AsSpan().SequenceEqual(b.AsSpan());

    internal static bool SameEntries<T>(IReadOnlyDictionary<string, T> a, IReadOnlyDictionary<string, T> b)
        where T : IEquatable<T> =>
        ReferenceEquals(a, b) || (a.Count == b.Count && a.All(e => b.TryGetValue(e.Key, out var other) && e.Value.Equals(other)));
}
