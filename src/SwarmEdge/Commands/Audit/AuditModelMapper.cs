using System.Collections.Immutable;
using Docker.DotNet.Models;

namespace SwarmEdge.Commands.Audit;

/// <summary>Pure mapping from Docker.DotNet's models, which leave almost every field nullable.</summary>
internal static class AuditModelMapper
{
    public static AuditSnapshot ToSnapshot(IEnumerable<SwarmService> services, IEnumerable<TaskResponse> tasks, IEnumerable<NodeListResponse> nodes,
        IEnumerable<NetworkResponse> networks)
    {
        var host = HostNetworkTargets(networks);
        return new(services.Select(s => ToService(s, host)).ToImmutableArray(), tasks.Select(ToTask).ToImmutableArray(), nodes.Select(ToNode).ToImmutableArray());
    }

    /// <summary>
    /// What a service's network attachment names when it is the host network: its name ("host", which a stack's
    /// external network resolves to) or the ID of a network of the host driver.
    /// </summary>
    public static ImmutableHashSet<string> HostNetworkTargets(IEnumerable<NetworkResponse> networks) =>
        networks.Where(n => string.Equals(n.Driver, "host", StringComparison.Ordinal))
            .SelectMany(n => new[] { n.ID, n.Name })
            .Append("host")
            .Where(t => !string.IsNullOrEmpty(t))
            .ToImmutableHashSet(StringComparer.Ordinal);

    public static AuditService ToService(SwarmService service, ImmutableHashSet<string> hostNetworkTargets) => new(
        service.ID,
        service.Spec?.Name ?? service.ID,
        service.Spec?.EndpointSpec?.Mode ?? "vip",
        // Endpoint.Ports is what the manager allocated (published ports it picked included); the spec is the
        // fallback for a service the allocator has not handled yet.
        ToPorts(service.Endpoint?.Ports is { Count: > 0 } allocated ? allocated : service.Spec?.EndpointSpec?.Ports),
        (service.Spec?.Labels ?? new Dictionary<string, string>()).ToImmutableDictionary(StringComparer.Ordinal),
        (service.Spec?.TaskTemplate?.Networks ?? []).Any(n => n.Target is { } target && hostNetworkTargets.Contains(target)));

    public static AuditTask ToTask(TaskResponse task) => new(
        task.ID,
        task.ServiceID ?? "",
        task.NodeID ?? "",
        ToPorts(task.Status?.PortStatus?.Ports));

    public static AuditNode ToNode(NodeListResponse node) => new(
        node.ID,
        node.Description?.Hostname ?? node.ID,
        node.Spec?.Role ?? "worker",
        node.Status?.State ?? "unknown",
        node.Spec?.Availability ?? "active",
        (node.Spec?.Labels ?? new Dictionary<string, string>()).ToImmutableDictionary(StringComparer.Ordinal));

    /// <summary>Docker lists a task's host port once per address family; the audit needs each once.</summary>
    public static ImmutableArray<PortPublication> ToPorts(IEnumerable<PortConfig>? ports) =>
        (ports ?? [])
        .Select(p => new PortPublication(
            (p.Protocol is { Length: > 0 } protocol ? protocol : "tcp").ToLowerInvariant(),
            (int)(p.TargetPort ?? 0),
            (int)(p.PublishedPort ?? 0),
            string.Equals(p.PublishMode, "host", StringComparison.OrdinalIgnoreCase) ? PublishMode.Host : PublishMode.Ingress))
        .Distinct()
        .ToImmutableArray();
}
