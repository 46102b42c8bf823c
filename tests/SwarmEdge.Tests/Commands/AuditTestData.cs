using System.Collections.Immutable;
using SwarmEdge.Commands.Audit;

namespace SwarmEdge.Tests.Commands;

/// <summary>Hand-made swarms for the audit tests: each test states only the services, tasks and nodes it needs.</summary>
internal static class AuditTestData
{
    public static readonly EdgeLabel Edge = EdgeLabel.Default;

    public static AuditNode Node(string hostname, bool edge = false, string role = "worker", string state = "ready") =>
        new("id-" + hostname, hostname, role, state, "active",
            edge ? ImmutableDictionary<string, string>.Empty.Add("swarmedge.edge", "true") : ImmutableDictionary<string, string>.Empty);

    public static PortPublication Ingress(int published, int target, string protocol = "tcp") => new(protocol, target, published, PublishMode.Ingress);

    public static PortPublication Host(int published, int target, string protocol = "tcp") => new(protocol, target, published, PublishMode.Host);

    public static AuditService Service(string name, string mode = "vip", PortPublication[]? ports = null, params (string Key, string Value)[] labels) =>
        new("svc-" + name, name, mode, [.. ports ?? []], labels.ToImmutableDictionary(l => l.Key, l => l.Value));

    public static AuditTask Task(string id, string service, string node, params PortPublication[] portStatus) =>
        new(id, "svc-" + service, "id-" + node, [.. portStatus]);

    public static AuditSnapshot Swarm(AuditService[] services, AuditNode[] nodes, params AuditTask[] tasks) =>
        new([.. services], [.. tasks], [.. nodes]);
}
