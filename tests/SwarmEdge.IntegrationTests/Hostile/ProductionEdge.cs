using SwarmEdge.IntegrationTests.Lab;

namespace SwarmEdge.IntegrationTests.Hostile;

/// <summary>
/// A SwarmEdge with the production defaults the lab's shared edge relaxes (hosts by service name and
/// host-less routes off), in the one-node lab's sidecar on its own ports, and raw HTTP to it.
/// </summary>
internal static class ProductionEdge
{
    public static async Task<SwarmEdgeProcess> StartAsync(SingleNodeSwarm swarm, int proxyPort, Dictionary<string, string>? settings = null, bool waitReady = true)
    {
        var all = new Dictionary<string, string>
        {
            ["SwarmEdge:Networks:0"] = SingleNodeSwarm.Network,
            ["SwarmEdge:Routing:DefaultHost"] = "",
            ["SwarmEdge:Routing:AllowHostlessRoutes"] = "false",
        };
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        var edge = SwarmEdgeProcess.Start(swarm.Sidecar, proxyPort, proxyPort + 1, all);
        if (waitReady)
        {
            await edge.WaitReadyAsync(TimeSpan.FromSeconds(60));
        }

        return edge;
    }

    /// <summary>Waits until the admin API lists the service with the given number of endpoints.</summary>
    public static Task WaitForEndpointsAsync(SwarmEdgeProcess edge, string service, int count) =>
        Eventually.HoldsAsync(async () => await edge.EndpointCountAsync(service) == count,
            TimeSpan.FromSeconds(20), $"SwarmEdge lists {count} endpoints for {service}");
}
