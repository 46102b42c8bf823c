using System.Collections.Immutable;

namespace SwarmEdge.Commands.Audit;

/// <summary>A swarm node with its node labels (docker node update --label-add), where the edge label lives.</summary>
internal sealed record AuditNode(
    string Id,
    string Hostname,
    string Role,
    string State,
    string Availability,
    ImmutableDictionary<string, string> Labels);
