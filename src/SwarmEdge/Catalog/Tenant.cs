namespace SwarmEdge.Catalog;

/// <summary>
/// Who a service belongs to. Name is the tenant label's value (null when the service has none: it is then a
/// tenant of its own, told apart by Service). Described is how errors name it.
/// </summary>
internal sealed record Tenant(string? Name, string Described, string? Service = null);
