using System.Collections.Immutable;

namespace SwarmEdge.Commands.Convert;

/// <summary>One port's fate: how it is routed, and the labels that route it (none for RoutingMesh).</summary>
internal sealed record PortAssignment(ComposePort Port, PortRoute Route, ImmutableArray<(string Key, string Value)> Labels, string Entrypoint)
{
    public string Describe() => Route switch
    {
        PortRoute.Http => Written,
        PortRoute.Tcp => $"{Written} (edge entrypoint {Entrypoint} in SwarmEdge:Tcp:Entrypoints)",
        _ => $"not routable by SwarmEdge ({(Port.Protocol == "tcp" ? "a port range" : Port.Protocol.ToUpperInvariant())}): stays on the routing mesh",
    };

    private string Written => Labels.IsEmpty ? "routed by the labels already there" : string.Join(" ", Labels.Select(l => $"{l.Key}={l.Value}"));
}
