using System.Collections.Immutable;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;
using SwarmEdge.Catalog.Traefik;

namespace SwarmEdge.Discovery;

/// <summary>
/// Reads the swarm through the Docker API and maps Docker's models to ours. Only what SwarmEdge uses is asked
/// for: services that opted in (by label, also when one service is re-read), the running tasks of those
/// services only (task specs hold environment variables, often secrets), networks and nodes. A full read is
/// four requests up to TasksPerRequest services (one more per further TasksPerRequest); a service read is two.
/// These are the exact request shapes deploy/socket-proxy lets through. With SwarmEdge:Discovery:TraefikLabels,
/// services labelled traefik.enable are listed as well (one more request: Docker's label filters all must match).
/// </summary>
internal sealed class SwarmReader(DockerApi api, IOptions<SwarmEdgeOptions> options)
{
    private readonly string[] _enableLabels = options.Value.Discovery.TraefikLabels
        ? [LabelKeys.Enable, TraefikLabels.Enable]
        : [LabelKeys.Enable];

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
        var services = await ListOptedInAsync(null, ct);
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

        return previous.WithWholeRead(
            mappedServices,
            DockerModelMapper.GroupTasks(tasks.Where(t => t.ServiceID is not null && ids.Contains(t.ServiceID))),
            networks.Where(n => n.Scope == "swarm")
                .ToImmutableDictionary(n => n.ID, n => new SwarmNetwork(n.ID, n.Name), StringComparer.Ordinal),
            nodes.Select(DockerModelMapper.ToNode).ToImmutableDictionary(n => n.Id, StringComparer.Ordinal));
    }

    /// <summary>
    /// Re-reads one service and its tasks; a service that is gone or opted out leaves the snapshot. The service
    /// is listed by ID and label rather than inspected, so a service that has not opted in is never read.
    /// </summary>
    private async Task<SwarmSnapshot> ReadServiceAsync(SwarmSnapshot snapshot, string serviceId, CancellationToken ct)
    {
        var listed = await ListOptedInAsync(serviceId, ct);
        // Docker's id filter matches prefixes.
        var service = listed.Where(s => s.ID == serviceId).Select(DockerModelMapper.ToService).FirstOrDefault();

        if (service is null || !_enableLabels.Any(service.Labels.ContainsKey))
        {
            return snapshot.WithoutService(serviceId);
        }

        var tasks = await api.CallAsync("tasks.list",
            (c, t) => c.Tasks.ListAsync(new TasksListParameters { Filters = TaskFilters.Running([serviceId]) }, t), ct);
        var unknownNetworks = service.NetworkIds.Any(id => !snapshot.Networks.ContainsKey(id));
        var networks = unknownNetworks ? await ReadNetworksAsync(ct) : snapshot.Networks;

        return snapshot.WithService(
            service,
            tasks.Where(t => t.ServiceID == serviceId).Select(DockerModelMapper.ToTask).OrderBy(t => t.Id, StringComparer.Ordinal).ToImmutableArray(),
            networks);
    }

    private async Task<ImmutableDictionary<string, SwarmNetwork>> ReadNetworksAsync(CancellationToken ct)
    {
        var networks = await api.CallAsync("networks.list",
            (c, t) => c.Networks.ListNetworksAsync(new NetworksListParameters(), t), ct);
        return networks.Where(n => n.Scope == "swarm")
            .ToImmutableDictionary(n => n.ID, n => new SwarmNetwork(n.ID, n.Name), StringComparer.Ordinal);
    }

    /// <summary>The services carrying any of the enable labels (a service with several listed once).</summary>
    private async Task<List<SwarmService>> ListOptedInAsync(string? serviceId, CancellationToken ct)
    {
        var services = new List<SwarmService>();
        foreach (var label in _enableLabels)
        {
            var listed = await api.CallAsync("services.list",
                (c, t) => c.Swarm.ListServicesAsync(new ServiceListParameters { Filters = OptedIn(serviceId, label) }, t), ct);
            services.AddRange(listed.Where(s => services.TrueForAll(known => known.ID != s.ID)));
        }

        return services;
    }

    // Key order is the order of the query's JSON, which the socket proxy's allow-list spells out.
    private static IDictionary<string, IDictionary<string, bool>> OptedIn(string? serviceId, string label)
    {
        var filters = new Dictionary<string, IDictionary<string, bool>>();
        if (serviceId is not null)
        {
            filters["id"] = new Dictionary<string, bool> { [serviceId] = true };
        }

        filters["label"] = new Dictionary<string, bool> { [label] = true };
        return filters;
    }

}
