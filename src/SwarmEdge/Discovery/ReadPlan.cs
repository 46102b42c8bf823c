namespace SwarmEdge.Discovery;

/// <summary>One read of the swarm: everything (services, tasks, networks, nodes), or some services and their tasks.</summary>
internal sealed record ReadPlan(bool Everything, EquatableArray<string> ServiceIds)
{
    public static readonly ReadPlan All = new(true, []);
}
