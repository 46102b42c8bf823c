using Docker.DotNet;
using Docker.DotNet.Models;

namespace SwarmEdge.Commands.Audit;

/// <summary>
/// The I/O half of swarmedge audit: requests to a manager (nodes, services, tasks, networks) mapped to a plain
/// snapshot. Nodes go first: a worker or a daemon outside any swarm answers that request with 503
/// "This node is not a swarm manager", before anything else is read.
/// </summary>
internal sealed class SwarmAuditReader(DockerClient client)
{
    public async Task<AuditSnapshot> ReadAsync(CancellationToken ct)
    {
        var nodes = await client.Swarm.ListNodesAsync(ct);
        var services = await client.Swarm.ListServicesAsync(new ServiceListParameters(), ct);
        var tasks = await client.Tasks.ListAsync(new TasksListParameters { Filters = Discovery.TaskFilters.Running() }, ct);
        var networks = (await client.Networks.ListNetworksAsync(new NetworksListParameters(), ct)).ToList();
        // The swarm's own "host" network, the one services attach to, is left out of the list; inspecting the
        // networks the services name that the list lacks finds it.
        var listed = networks.Select(n => n.ID).ToHashSet(StringComparer.Ordinal);
        foreach (var id in services.SelectMany(s => s.Spec?.TaskTemplate?.Networks ?? []).Select(n => n.Target ?? "")
                     .Where(t => t.Length > 0 && !listed.Contains(t)).Distinct(StringComparer.Ordinal).ToList())
        {
            try
            {
                networks.Add(await client.Networks.InspectNetworkAsync(id, ct));
            }
            catch (DockerNetworkNotFoundException)
            {
                // removed since the services were listed: nothing left to report on it
            }
        }

        return AuditModelMapper.ToSnapshot(services, tasks, nodes, networks);
    }
}
