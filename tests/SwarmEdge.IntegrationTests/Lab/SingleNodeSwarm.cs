namespace SwarmEdge.IntegrationTests.Lab;

/// <summary>
/// A real one-node swarm (tests/lab/swarm-up.sh installs and starts what is missing) and one SwarmEdge
/// process serving it, shared by the tests of the collection. Each test makes its own uniquely named services.
/// </summary>
public sealed class SingleNodeSwarm : IAsyncLifetime
{
    public const string Network = "selab-edge";
    private const int ProxyPort = 18080;
    private const int AdminPort = 18081;

    /// <summary>TCP entrypoints the shared SwarmEdge listens on.</summary>
    public static readonly int[] TcpEntrypoints = [15432, 17000, 17001, 17002];

    internal SwarmEdgeProcess Edge { get; private set; } = null!;

    internal EdgeSidecar Sidecar { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Shell.RunAsync(RepoPaths.LabScript("swarm-up.sh"), [], TimeSpan.FromMinutes(20));
        await RemoveLeftoversAsync();
        Sidecar = await EdgeSidecar.EnsureAsync("swarmedge-it-edge", Network);
        var settings = new Dictionary<string, string> { ["SwarmEdge:Networks:0"] = Network };
        for (var i = 0; i < TcpEntrypoints.Length; i++)
        {
            settings[$"SwarmEdge:Tcp:Entrypoints:{i}"] = TcpEntrypoints[i].ToString();
        }

        Edge = SwarmEdgeProcess.Start(Sidecar, ProxyPort, AdminPort, settings);
        await Edge.WaitReadyAsync(TimeSpan.FromSeconds(60));
    }

    internal SwarmServices NewServices() => new(Network);

    public async Task DisposeAsync()
    {
        if (Edge is not null)
        {
            await Edge.DisposeAsync();
        }

        await RemoveLeftoversAsync();
    }

    /// <summary>Services from an earlier run that was killed (CI runs on a machine a session left behind).</summary>
    private static async Task RemoveLeftoversAsync()
    {
        var names = (await Shell.DockerAsync("service", "ls", "--format", "{{.Name}}")).Trimmed
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(n => n.StartsWith("it-", StringComparison.Ordinal))
            .ToArray();
        if (names.Length > 0)
        {
            await Shell.RunAsync("docker", ["service", "rm", .. names], check: false);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SingleNodeSwarmCollection : ICollectionFixture<SingleNodeSwarm>
{
    public const string Name = "single-node swarm";
}
