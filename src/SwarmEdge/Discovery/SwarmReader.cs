using System.Collections.Immutable;
using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using DockerService = Docker.DotNet.Models.SwarmService;
using SwarmService = SwarmEdge.Discovery.SwarmService;

namespace SwarmEdge.Discovery;

/// <summary>
/// Reads the swarm through the Docker API and maps Docker's models to ours. Only what SwarmEdge uses is asked
/// for: services that opted in (by label, also when one service is re-read), the running tasks of those
/// services only (task specs hold environment variables, often secrets), networks and nodes. A full read is
/// four requests up to TasksPerRequest services (one more per further TasksPerRequest); a service read is two.
/// These are the exact request shapes deploy/socket-proxy lets through.
/// </summary>
internal sealed class SwarmReader(DockerApi api)
{
    /// <summary>Service IDs per task list request: keeps its URL around 3 KB, well inside a proxy's buffer.</summary>
    public const int TasksPerRequest = 80;

    /// <summary>The manager endpoint calls go to now.</summary>
    public string Endpoint => api.CurrentEndpoint;

    /// <summary>What a plan asks for, on top of the last snapshot.</summary>
    public async Task<SwarmSnapshot> ReadAsync(ReadPlan plan, SwarmSnapshot snapshot, CancellationToken ct)
    {
        if (plan.Everything)
        {
            return await ReadAllAsync(snapshot, ct);
        }

        foreach (var serviceId in plan.ServiceIds)
        {
            snapshot = await ReadServiceAsync(snapshot, serviceId, ct);
        }

        return snapshot;
    }

    private async Task<SwarmSnapshot> ReadAllAsync(SwarmSnapshot previous, CancellationToken ct)
    {
        var services = await api.CallAsync("services.list",
            (c, t) => c.Swarm.ListServicesAsync(new ServiceListParameters { Filters = OptedIn(null) }, t), ct);
        var mappedServices = services.Select(DockerModelMapper.ToService).ToImmutableArray();
        var ids = mappedServices.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        var tasks = new List<TaskResponse>();
        foreach (var chunk in ids.Order(StringComparer.Ordinal).Chunk(TasksPerRequest))
        {
            tasks.AddRange(await api.CallAsync("tasks.list",
                (c, t) => c.Tasks.ListAsync(new TasksListParameters { Filters = TaskFilters.Running(chunk) }, t), ct));
        }

        var networks = await api.CallAsync("networks.list",
            (c, t) => c.Networks.ListNetworksAsync(new NetworksListParameters(), t), ct);
        var nodes = await api.CallAsync("nodes.list", (c, t) => c.Swarm.ListNodesAsync(t), ct);

        return previous with
        {
            Services = mappedServices,
            TasksByService = DockerModelMapper.GroupTasks(tasks.Where(t => t.ServiceID is not null && ids.Contains(t.ServiceID))),
            Networks = networks.Where(n => n.Scope == "swarm")
                .ToImmutableDictionary(n => n.ID, n => new SwarmNetwork(n.ID, n.Name), StringComparer.Ordinal),
            Nodes = nodes.Select(DockerModelMapper.ToNode).ToImmutableDictionary(n => n.Id, StringComparer.Ordinal),
        };
    }

    /// <summary>
    /// Re-reads one service and its tasks; a service that is gone or opted out leaves the snapshot. The service
    /// is listed by ID and label rather than inspected, so a service that has not opted in is never read.
    /// </summary>
    private async Task<SwarmSnapshot> ReadServiceAsync(SwarmSnapshot snapshot, string serviceId, CancellationToken ct)
    {
        var listed = await api.CallAsync("services.list",
            (c, t) => c.Swarm.ListServicesAsync(new ServiceListParameters { Filters = OptedIn(serviceId) }, t), ct);
        // Docker's id filter matches prefixes.
        var service = listed.Where(s => s.ID == serviceId).Select(DockerModelMapper.ToService).FirstOrDefault();

        var others = snapshot.Services.Where(s => s.Id != serviceId);
        if (service is null || !service.Labels.ContainsKey(LabelKeys.Enable))
        {
            return snapshot with
            {
                Services = others.ToImmutableArray(),
                TasksByService = snapshot.TasksByService.Remove(serviceId),
            };
        }

        var tasks = await api.CallAsync("tasks.list",
            (c, t) => c.Tasks.ListAsync(new TasksListParameters { Filters = TaskFilters.Running([serviceId]) }, t), ct);
        var unknownNetworks = service.NetworkIds.Any(id => !snapshot.Networks.ContainsKey(id));
        var networks = unknownNetworks ? await ReadNetworksAsync(ct) : snapshot.Networks;

        return snapshot with
        {
            Services = others.Append(service).ToImmutableArray(),
            TasksByService = snapshot.TasksByService.SetItem(serviceId,
                tasks.Where(t => t.ServiceID == serviceId).Select(DockerModelMapper.ToTask).OrderBy(t => t.Id, StringComparer.Ordinal).ToImmutableArray()),
            Networks = networks,
        };
    }

    private async Task<ImmutableDictionary<string, SwarmNetwork>> ReadNetworksAsync(CancellationToken ct)
    {
        var networks = await api.CallAsync("networks.list",
            (c, t) => c.Networks.ListNetworksAsync(new NetworksListParameters(), t), ct);
        return networks.Where(n => n.Scope == "swarm")
            .ToImmutableDictionary(n => n.ID, n => new SwarmNetwork(n.ID, n.Name), StringComparer.Ordinal);
    }

    // Key order is the order of the query's JSON, which the socket proxy's allow-list spells out.
    private static IDictionary<string, IDictionary<string, bool>> OptedIn(string? serviceId)
    {
        var filters = new Dictionary<string, IDictionary<string, bool>>();
        if (serviceId is not null)
        {
            filters["id"] = new Dictionary<string, bool> { [serviceId] = true };
        }

        filters["label"] = new Dictionary<string, bool> { [LabelKeys.Enable] = true };
        return filters;
    }

}

/// <summary>Pure mapping from Docker.DotNet's models, which leave almost every field nullable.</summary>
internal static class DockerModelMapper
{
    public static SwarmService ToService(DockerService service)
    {
        var spec = service.Spec;
        var updateState = service.UpdateStatus?.State;
        return new SwarmService(
            service.ID,
            spec?.Name ?? service.ID,
            service.CreatedAt ?? DateTime.MinValue,
            spec?.EndpointSpec?.Mode ?? "vip",
            (spec?.Labels ?? new Dictionary<string, string>()).ToImmutableDictionary(StringComparer.Ordinal),
            (spec?.TaskTemplate?.Networks ?? []).Select(n => n.Target).OfType<string>().Where(t => t.Length > 0).Distinct().ToImmutableArray(),
            updateState is "updating" or "rollback_started",
            spec?.Mode?.Replicated?.Replicas is { } replicas ? (int)replicas : null);
    }

    public static SwarmTask ToTask(TaskResponse task)
    {
        var addresses = ImmutableDictionary.CreateBuilder<string, IPAddress>(StringComparer.Ordinal);
        foreach (var attachment in task.NetworksAttachments ?? [])
        {
            var networkId = attachment.Network?.ID;
            var cidr = attachment.Addresses?.FirstOrDefault();
            if (networkId is null || cidr is null)
            {
                continue;
            }

            // Addresses come as CIDR ("10.0.1.5/24").
            var slash = cidr.IndexOf('/');
            if (IPAddress.TryParse(slash < 0 ? cidr : cidr[..slash], out var ip))
            {
                addresses[networkId] = ip;
            }
        }

        return new SwarmTask(
            task.ID,
            task.ServiceID ?? "",
            task.NodeID ?? "",
            task.Status?.State?.ToString().ToLowerInvariant() ?? "unknown",
            addresses.ToImmutable());
    }

    public static ImmutableDictionary<string, ImmutableArray<SwarmTask>> GroupTasks(IEnumerable<TaskResponse> tasks) =>
        tasks.Select(ToTask)
            .GroupBy(t => t.ServiceId, StringComparer.Ordinal)
            .ToImmutableDictionary(g => g.Key, g => g.OrderBy(t => t.Id, StringComparer.Ordinal).ToImmutableArray(), StringComparer.Ordinal);

    public static SwarmNode ToNode(NodeListResponse node) => new(
        node.ID,
        node.Description?.Hostname ?? node.ID,
        // Down and disconnected nodes' tasks are unreachable. Unknown is what every node is for a few seconds after
        // a leader change (swarmkit's dispatcher marks them so until they check in): dropping their tasks would
        // empty every service at once.
        node.Status?.State?.ToLowerInvariant() is not ("down" or "disconnected"));
}
