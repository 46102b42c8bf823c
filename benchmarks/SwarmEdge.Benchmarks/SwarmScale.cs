using System.Collections.Immutable;
using System.Net;
using SwarmEdge.Catalog;
using SwarmEdge.Discovery;

namespace SwarmEdge.Benchmarks;

/// <summary>A synthetic swarm: N opted-in services with T running tasks each, all answered by DNS.</summary>
internal static class SwarmScale
{
    public const string Network = "net-edge";

    /// <param name="changedService">The service one of whose tasks is replaced (a new ID on a new address).</param>
    /// <param name="relabeledService">The service whose host label names another host (a change of routes).</param>
    public static SwarmSnapshot Snapshot(int services, int tasksPerService, int changedService = -1, int relabeledService = -1)
    {
        var serviceList = ImmutableArray.CreateBuilder<OptedInService>();
        var tasks = ImmutableDictionary.CreateBuilder<string, ImmutableArray<SwarmTask>>(StringComparer.Ordinal);
        var dns = ImmutableDictionary.CreateBuilder<string, DnsAnswer>(StringComparer.Ordinal);
        for (var s = 0; s < services; s++)
        {
            var id = $"svc-{s:D4}";
            var name = $"app-{s:D4}";
            var labels = ImmutableDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string>
            {
                ["swarmedge.enable"] = "true",
                ["swarmedge.http.port"] = "8080",
                ["swarmedge.http.host"] = s == relabeledService ? $"{name}-v2.example.com" : $"{name}.example.com",
                ["swarmedge.http.routers.api.path"] = $"/{name}/api",
                ["swarmedge.http.routers.api.strip-prefix"] = "true",
            });
            serviceList.Add(new OptedInService(id, name, DateTime.UnixEpoch.AddSeconds(s), "dnsrr", labels, [Network], false, tasksPerService));

            var serviceTasks = ImmutableArray.CreateBuilder<SwarmTask>();
            var addresses = ImmutableHashSet.CreateBuilder<IPAddress>();
            for (var t = 0; t < tasksPerService; t++)
            {
                // One task of the changed service is replaced: a new ID on a new address.
                var replaced = s == changedService && t == 0;
                var ip = new IPAddress([10, (byte)(s / 250), (byte)(s % 250), (byte)(replaced ? 200 : t + 1)]);
                var taskId = replaced ? $"{id}-task-new" : $"{id}-task-{t:D2}";
                serviceTasks.Add(new SwarmTask(taskId, id, $"node-{t % 3}", "running",
                    ImmutableDictionary<string, IPAddress>.Empty.Add(Network, ip)));
                addresses.Add(ip);
            }

            // In ID order, as the reader lists them.
            tasks[id] = [.. serviceTasks.OrderBy(t => t.Id, StringComparer.Ordinal)];
            dns[name] = new DnsAnswer(true, addresses.ToImmutable(), null);
        }

        var nodes = Enumerable.Range(0, 3).ToImmutableDictionary(i => $"node-{i}", i => new SwarmNode($"node-{i}", $"host-{i}", true));
        return new SwarmSnapshot(
            serviceList.ToImmutable(),
            tasks.ToImmutable(),
            ImmutableDictionary<string, SwarmNetwork>.Empty.Add(Network, new SwarmNetwork(Network, "edge")),
            nodes,
            dns.ToImmutable());
    }

    /// <summary>
    /// What the discovery loop holds after reading one service again (an event or a DNS change asks): <paramref
    /// name="basis"/> with service <paramref name="service"/> as <paramref name="reread"/> has it, merged as the
    /// reader merges it, and its DNS answer from there.
    /// </summary>
    public static SwarmSnapshot WithServiceReread(SwarmSnapshot basis, SwarmSnapshot reread, int service)
    {
        var entry = reread.Services[service];
        return basis.WithService(entry, reread.TasksOf(entry.Id), basis.Networks) with
        {
            DnsByServiceName = basis.DnsByServiceName.SetItem(entry.Name, reread.DnsByServiceName[entry.Name]),
        };
    }

    /// <summary>
    /// What the discovery loop holds after a read of the whole swarm found <paramref name="read"/> and Docker's DNS
    /// answered as there, each merged as the reader and the DNS view merge them.
    /// </summary>
    public static SwarmSnapshot WithWholeRead(SwarmSnapshot basis, SwarmSnapshot read)
    {
        var dns = DnsView.Empty with { Answers = basis.DnsByServiceName };
        foreach (var (name, answer) in read.DnsByServiceName)
        {
            dns = dns.With(name, answer).View;
        }

        return basis.WithWholeRead(read.Services, read.TasksByService, read.Networks, read.Nodes) with { DnsByServiceName = dns.Answers };
    }
}
