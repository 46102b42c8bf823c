using System.Globalization;

namespace SwarmEdge.IntegrationTests.Lab;

/// <summary>
/// The three-node lab (tests/lab/multinode.sh): three managers selab-n1..3, each a dockerd in its own network
/// namespace on one bridge. SwarmEdge runs in a sidecar on n1 (the edge node), with its ports published on
/// n1's address, so the tests reach it the way clients reach an edge node. Tests cut links and restart
/// daemons; each puts the lab back and waits until it is healthy again.
/// </summary>
public sealed class MultiNodeSwarm : IAsyncLifetime
{
    public const string Network = "selab-mn";
    private const string SidecarName = "swarmedge-it-mn-edge";

    /// <summary>Ports published by the sidecar: tests take pairs (proxy, admin) from here.</summary>
    public static readonly int[] Ports = [.. Enumerable.Range(18280, 10)];

    internal static string HostOf(int node) => $"unix:///var/run/selab-n{node}.sock";

    internal static string AddressOf(int node) => $"10.77.0.1{node}";

    internal static string HostnameOf(int node) => $"selab-n{node}";

    /// <summary>The node a hostname Docker lists (HostnameOf's) names.</summary>
    internal static int NodeNamed(string hostname) => int.Parse(hostname["selab-n".Length..], CultureInfo.InvariantCulture);

    internal EdgeSidecar Sidecar { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Shell.RunAsync(RepoPaths.LabScript("swarm-up.sh"), [], TimeSpan.FromMinutes(20));
        await Shell.RunAsync(RepoPaths.LabScript("multinode.sh"), ["up"], TimeSpan.FromMinutes(10));
        await RemoveLeftoversAsync();
        if ((await Docker(1, "network", "inspect", Network)).ExitCode != 0)
        {
            await Shell.RunAsync("docker", ["-H", HostOf(1), "network", "create", "-d", "overlay", "--attachable", Network]);
        }

        Sidecar = await EdgeSidecar.EnsureAsync(SidecarName, Network, HostOf(1), AddressOf(1), Ports);
    }

    internal SwarmServices NewServices(int viaNode = 1) => new(Network, HostOf(viaNode));

    internal SwarmEdgeProcess StartEdge(int portIndex, params int[] managers) =>
        SwarmEdgeProcess.Start(Sidecar, Ports[portIndex * 2], Ports[portIndex * 2 + 1], new Dictionary<string, string>(
            managers.Select((node, i) => KeyValuePair.Create($"SwarmEdge:Docker:Endpoints:{i}", HostOf(node))))
        {
            ["SwarmEdge:Networks:0"] = Network,
        });

    internal static Task<ShellResult> Docker(int node, params string[] args) =>
        Shell.RunAsync("docker", ["-H", HostOf(node), .. args], TimeSpan.FromSeconds(60), check: false);

    /// <summary>Takes the node off the lab bridge: a real node loss (its IPs become black holes).</summary>
    internal static Task CutAsync(int node) => Shell.RunAsync("ip", ["link", "set", $"selab-v{node}", "down"]);

    internal static Task RestoreAsync(int node) => Shell.RunAsync("ip", ["link", "set", $"selab-v{node}", "up"]);

    internal static Task RestartDaemonAsync(int node) =>
        Shell.RunAsync(RepoPaths.LabScript("multinode.sh"), ["restart-daemon", node.ToString()], TimeSpan.FromMinutes(2));

    /// <summary>
    /// Waits until all three managers are ready and reachable. A manager that comes back after a cut can keep
    /// the swarm leaderless for tens of seconds (Swarm's Raft has no pre-vote), hence the long wait.
    /// </summary>
    internal static Task WaitHealthyAsync() =>
        Eventually.HoldsAsync(
            async () => (await Shell.RunAsync(RepoPaths.LabScript("multinode.sh"), ["status"], TimeSpan.FromSeconds(60), check: false)).ExitCode == 0,
            TimeSpan.FromSeconds(180), "the three-node lab is healthy again", TimeSpan.FromSeconds(2));

    /// <summary>
    /// Makes a manager other than <paramref name="node"/> the Raft leader if <paramref name="node"/> leads
    /// (multinode.sh step-down: its dockerd is stopped until the others have elected a leader). A stopped
    /// dockerd takes its containers along: the sidecar is started again when it lived there.
    /// </summary>
    internal async Task StepDownAsync(int node)
    {
        await Shell.RunAsync(RepoPaths.LabScript("multinode.sh"), ["step-down", node.ToString()], TimeSpan.FromMinutes(3));
        await WaitHealthyAsync();
        if (node == 1)
        {
            Sidecar = await EdgeSidecar.EnsureAsync(SidecarName, Network, HostOf(1), AddressOf(1), Ports);
        }
    }

    /// <summary>
    /// The node number of the current Raft leader, asked of a node that is not cut off; waits while an
    /// election is under way (the swarm then has no leader for a while).
    /// </summary>
    internal static async Task<int> LeaderAsync(int askNode = 1)
    {
        int? leader = null;
        await Eventually.HoldsAsync(async () =>
            {
                var result = await Docker(askNode, "node", "ls", "--filter", "role=manager", "--format", "{{.Hostname}} {{.ManagerStatus}}");
                var line = result.ExitCode == 0
                    ? result.Trimmed.Split('\n').SingleOrDefault(l => l.EndsWith("Leader", StringComparison.Ordinal))
                    : null;
                leader = line is null ? null : NodeNamed(line.Split(' ')[0]);
                return leader is not null;
            },
            TimeSpan.FromSeconds(90), "the swarm has a leader", TimeSpan.FromSeconds(1));
        return leader!.Value;
    }

    /// <summary>
    /// Labels the node an edge node or takes the label away, and checks: a node update races the managers' own
    /// updates of the node ("update out of sequence"), so it is asked again until the label is as wanted.
    /// </summary>
    internal static Task SetEdgeLabelAsync(int node, bool edge) =>
        Eventually.HoldsAsync(async () =>
        {
            await Docker(1, "node", "update", edge ? "--label-add" : "--label-rm", edge ? "swarmedge.edge=true" : "swarmedge.edge", HostnameOf(node));
            var labels = await Docker(1, "node", "inspect", "--format", "{{json .Spec.Labels}}", HostnameOf(node));
            return labels.ExitCode == 0 && labels.Output.Contains("\"swarmedge.edge\":\"true\"", StringComparison.Ordinal) == edge;
        }, TimeSpan.FromSeconds(60), $"n{node} {(edge ? "is" : "is not")} labelled swarmedge.edge=true", TimeSpan.FromSeconds(1));

    internal static async Task<string> NodeIdAsync(int node) =>
        (await Docker(1, "node", "inspect", "--format", "{{.ID}}", HostnameOf(node))).Trimmed;

    public async Task DisposeAsync() => await RemoveLeftoversAsync();

    /// <summary>
    /// What an earlier run left (a run cut short, a cleanup the managers refused): the tests' stacks, with their
    /// networks (stack.yml's "swarmedge" among them: a stack whose services were removed one by one keeps it, and a
    /// new deploy of stack.yml then waits for it), and the tests' services.
    /// </summary>
    private static async Task RemoveLeftoversAsync()
    {
        var stacks = (await Docker(1, "stack", "ls", "--format", "{{.Name}}")).Trimmed
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(n => n.StartsWith("it-", StringComparison.Ordinal))
            .ToArray();
        if (stacks.Length > 0)
        {
            await ProductionStack.RemoveAsync(TimeSpan.FromSeconds(120), stacks);
        }

        var names = (await Docker(1, "service", "ls", "--format", "{{.Name}}")).Trimmed
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(n => n.StartsWith("it-", StringComparison.Ordinal))
            .ToArray();
        if (names.Length > 0)
        {
            await Docker(1, ["service", "rm", .. names]);
        }

        if ((await Docker(1, "network", "inspect", "swarmedge")).ExitCode == 0)
        {
            await Eventually.HoldsAsync(async () => (await Docker(1, "network", "rm", "swarmedge")).ExitCode == 0
                                                    || (await Docker(1, "network", "inspect", "swarmedge")).ExitCode != 0,
                TimeSpan.FromSeconds(120), "stack.yml's swarmedge network, left by an earlier run, is removed", TimeSpan.FromSeconds(2));
        }
    }
}

[CollectionDefinition(Name)]
public sealed class MultiNodeSwarmCollection : ICollectionFixture<MultiNodeSwarm>
{
    public const string Name = "three-node swarm";
}
