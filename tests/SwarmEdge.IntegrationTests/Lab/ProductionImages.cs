namespace SwarmEdge.IntegrationTests.Lab;

/// <summary>
/// The images the product ships, built from the repository for the three-node lab: SwarmEdge from ./Dockerfile
/// (its air-gapped target, on the local Debian base), the socket proxy, keepalived and the issuer from deploy/. The lab's
/// nodes reach no registry, so the images are copied into each node's daemon. Built once per test run.
/// </summary>
internal static class ProductionImages
{
    public const string Edge = "swarmedge-lab/swarmedge:e2e";
    public const string SocketProxy = "swarmedge-lab/socket-proxy:e2e";
    public const string Vrrp = "swarmedge-lab/vrrp:e2e";
    public const string Issuer = "swarmedge-lab/issuer:e2e";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static bool _built;

    public static async Task EnsureAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (!_built)
            {
                await BuildAsync();
                _built = true;
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task BuildAsync()
    {
        _ = RepoPaths.SwarmEdgeBinary; // the prebuilt target copies the published directory: it must be today's
        await Shell.RunAsync("docker", ["build", "-q", "--target", "prebuilt", "--build-arg", "RUNTIME_IMAGE=swarmedge-lab/base:bookworm",
            "-t", Edge, RepoPaths.Root], TimeSpan.FromMinutes(10));
        foreach (var (image, folder) in new[] { (SocketProxy, "socket-proxy"), (Vrrp, "keepalived") })
        {
            await Shell.RunAsync("docker", ["build", "-q", "--build-arg", "BASE_IMAGE=swarmedge-lab/base:bookworm",
                "-t", image, Path.Combine(RepoPaths.Root, "deploy", folder)], TimeSpan.FromMinutes(10));
        }

        await Shell.RunAsync("docker", ["build", "-q", "--build-arg", $"SWARMEDGE_IMAGE={Edge}", "--build-arg", "BASE_IMAGE=swarmedge-lab/base:bookworm",
            "-t", Issuer, Path.Combine(RepoPaths.Root, "deploy", "issuer")], TimeSpan.FromMinutes(10));
        foreach (var node in new[] { 1, 2, 3 })
        {
            await Shell.RunAsync("sh", ["-c", $"docker save {Edge} {SocketProxy} {Vrrp} {Issuer} | docker -H {MultiNodeSwarm.HostOf(node)} load -q"],
                TimeSpan.FromMinutes(5));
        }
    }
}
