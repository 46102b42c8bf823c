using System.Collections.Immutable;
using System.Net;
using Docker.DotNet.Models;
using DockerService = Docker.DotNet.Models.SwarmService;

namespace SwarmEdge.Discovery;

/// <summary>Pure mapping from Docker.DotNet's models, which leave almost every field nullable.</summary>
internal static class DockerModelMapper
{
    public static OptedInService ToService(DockerService service)
    {
        var spec = service.Spec;
        var updateState = service.UpdateStatus?.State;
        return new OptedInService(
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
        node.Status?.State?.ToLowerInvariant() is not ("down" or "disconnected"),
        node.Status?.Addr ?? "");
}
