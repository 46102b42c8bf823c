using System.Collections.Immutable;
using System.Net;
using SwarmEdge.Catalog;
using SwarmEdge.Discovery;

namespace SwarmEdge.Tests;

/// <summary>
/// Small builders for the discovery model, so that tests state only what matters to them.
/// Note: xunit compares an ImmutableArray through its IEquatable (reference) equality, so tests compare
/// its contents with .ToArray().
/// </summary>
internal static class TestData
{
    public static readonly DateTime Jan1 = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>
    /// The routing policy of tests about something else than ownership: services are reached at their name and
    /// host-less routes are allowed (RoutingPolicy.Default allows neither).
    /// </summary>
    public static readonly RoutingPolicy OpenPolicy = RoutingPolicy.Default with { DefaultHost = "{service}", AllowHostlessRoutes = true };

    public static ImmutableDictionary<string, string> Labels(params (string Key, string Value)[] labels) =>
        labels.ToImmutableDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal);

    /// <summary>Labels of a service that opted in on port 8080, plus (or overriding) the given ones.</summary>
    public static ImmutableDictionary<string, string> Routed(params (string Key, string Value)[] labels) =>
        Labels(("swarmedge.enable", "true"), ("swarmedge.http.port", "8080")).SetItems(
            labels.Select(l => KeyValuePair.Create(l.Key, l.Value)));

    public static OptedInService Service(
        string name,
        ImmutableDictionary<string, string> labels,
        string[]? networks = null,
        DateTime? createdAt = null,
        int? replicas = 2) =>
        new("svc-" + name, name, createdAt ?? Jan1, "dnsrr", labels, [.. networks ?? ["net-a"]], false, replicas);

    public static SwarmTask TaskAt(string id, string serviceId, string ip, string network = "net-a", string node = "node-1", string state = "running") =>
        new(id, serviceId, node, state, ImmutableDictionary<string, IPAddress>.Empty.WithComparers(StringComparer.Ordinal).Add(network, IPAddress.Parse(ip)));

    public static DnsAnswer Dns(params string[] ips) => new(true, ips.Select(IPAddress.Parse).ToImmutableHashSet(), null);

    public static SwarmSnapshot Snapshot(
        IEnumerable<OptedInService> services,
        IEnumerable<SwarmTask>? tasks = null,
        IEnumerable<SwarmNode>? nodes = null,
        IEnumerable<(string Service, DnsAnswer Answer)>? dns = null) =>
        new(
            [.. services],
            (tasks ?? []).GroupBy(t => t.ServiceId).ToImmutableDictionary(g => g.Key, g => g.ToImmutableArray()),
            ImmutableDictionary.CreateRange(new Dictionary<string, SwarmNetwork>
            {
                ["net-a"] = new("net-a", "edge"),
                ["net-b"] = new("net-b", "db"),
            }),
            (nodes ?? [new SwarmNode("node-1", "worker-1", true)]).ToImmutableDictionary(n => n.Id),
            (dns ?? []).ToImmutableDictionary(d => d.Service, d => d.Answer));
}
