using Docker.DotNet;
using Docker.DotNet.Models;

namespace SwarmEdge.Commands.Audit;

/// <summary>
/// The I/O half of swarmedge audit: three requests to a manager (nodes, services, tasks) mapped to a plain
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
        return AuditModelMapper.ToSnapshot(services, tasks, nodes);
    }
}
