using System.Collections.Immutable;

namespace SwarmEdge.Catalog;

/// <summary>One entry of SwarmEdge:Routing:AllowedHosts: a host pattern, for the listed tenants only (empty: any).</summary>
internal sealed record HostGrant(string Host, ImmutableArray<string> Tenants);
