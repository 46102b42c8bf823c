using System.Collections.Immutable;
using SwarmEdge.Discovery;

namespace SwarmEdge.Catalog;

/// <summary>
/// The operator's rules for what a service's labels may claim (SwarmEdge:Routing). Labels are written by
/// whoever deploys a service; these rules are written by whoever runs the edge, so a careless or hostile team
/// cannot route another team's domain to its own tasks.
/// </summary>
/// <param name="DefaultHost">
/// The host a service without any host or path label is reached at, with "{service}" standing for its name
/// ("{service}.apps.example.com"); null: such a service has no route.
/// </param>
/// <param name="AllowHostlessRoutes">Whether a route may match a path on every host (no host label).</param>
/// <param name="AllowedHosts">Hosts services may claim; empty: any host.</param>
/// <param name="TenantLabel">
/// The service label that says which team a service belongs to (by default the stack namespace that
/// docker stack deploy sets). A host belongs to the team that claimed it first.
/// </param>
internal sealed record RoutingPolicy(
    string? DefaultHost,
    bool AllowHostlessRoutes,
    ImmutableArray<HostGrant> AllowedHosts,
    string TenantLabel)
{
    public const string StackNamespaceLabel = "com.docker.stack.namespace";
    public const string ServicePlaceholder = "{service}";

    /// <summary>The defaults: no host by service name, no host-less routes, any host, teams by stack.</summary>
    public static readonly RoutingPolicy Default = new(null, false, [], StackNamespaceLabel);

    public static RoutingPolicy From(RoutingOptions options) => new(
        string.IsNullOrWhiteSpace(options.DefaultHost) ? null : options.DefaultHost.Trim().ToLowerInvariant(),
        options.AllowHostlessRoutes,
        [.. options.AllowedHosts.Select(g => new HostGrant(
            g.Host.Trim().ToLowerInvariant(),
            [.. g.Tenants.Select(t => t.Trim()).Where(t => t.Length > 0)]))],
        string.IsNullOrWhiteSpace(options.TenantLabel) ? StackNamespaceLabel : options.TenantLabel.Trim());

    /// <summary>The team a service belongs to: its tenant label's value, else the service alone.</summary>
    public Tenant TenantOf(string serviceName, IReadOnlyDictionary<string, string> labels) =>
        labels.TryGetValue(TenantLabel, out var value) && value.Trim() is { Length: > 0 } tenant
            ? new Tenant(tenant, TenantLabel == StackNamespaceLabel ? $"stack {tenant}" : $"{TenantLabel}={tenant}")
            : new Tenant(null, $"service {serviceName}", serviceName);

    /// <summary>
    /// The services of the routes file are one tenant, whatever their labels say: the operator's. It is told apart
    /// from every swarm service by a service name no Docker service can have, so no label can join it. The file's
    /// shared middlewares are a tenant of their own, whose middlewares any route may name as name@file.
    /// </summary>
    public Tenant TenantOf(OptedInService service) =>
        service.StaticAddresses is null ? TenantOf(service.Name, service.Labels)
        : service.Name == RoutesFile.SharedMiddlewares ? SharedFileTenant
        : FileTenant;

    public static readonly Tenant FileTenant = new(null, "the routes file", RoutesFile.NameSuffix);

    public static readonly Tenant SharedFileTenant = new(null, "the routes file's shared middlewares", RoutesFile.SharedMiddlewares);

    /// <summary>
    /// Whether the tenant may claim this host (a name, "*.name", either with ":port"): some grant that applies
    /// to the tenant covers it. Grants cover "name" exactly, or "*.name": every host below name, at any depth.
    /// </summary>
    public bool Allows(Tenant tenant, string host)
    {
        if (AllowedHosts.IsEmpty)
        {
            return true;
        }

        var name = HostName.WithoutPort(host);
        // A grant may name the routes file as "@file"; a stack that calls itself so is not it.
        var granted = tenant == FileTenant ? RoutesFile.NameSuffix : tenant.Name is { } t && t != RoutesFile.NameSuffix ? t : null;
        return AllowedHosts.Any(grant =>
            (grant.Tenants.IsEmpty || (granted is not null && grant.Tenants.Contains(granted, StringComparer.Ordinal)))
            && HostName.Covers(grant.Host, name));
    }
}
