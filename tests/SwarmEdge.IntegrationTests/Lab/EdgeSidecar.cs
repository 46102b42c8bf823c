namespace SwarmEdge.IntegrationTests.Lab;

/// <summary>
/// A container attached to the overlay network whose network namespace SwarmEdge (a host process) joins with
/// nsenter: from there it reaches task IPs and Docker's DNS at 127.0.0.11, exactly as a SwarmEdge container
/// on that network would. The host reaches it on its docker_gwbridge address.
/// </summary>
internal sealed record EdgeSidecar(string Name, int Pid, string Address)
{
    /// <summary>
    /// A sidecar on the given dockerd. With publishedOn set (the node's address, for a node in its own network
    /// namespace), the ports are published on the node and the sidecar is reached at that address.
    /// </summary>
    public static async Task<EdgeSidecar> EnsureAsync(
        string name, string network, string? dockerHost = null, string? publishedOn = null, params int[] ports)
    {
        string[] Host(params string[] args) => dockerHost is null ? args : ["-H", dockerHost, .. args];

        var running = await Shell.RunAsync("docker", Host("inspect", "-f", "{{.State.Running}}", name), check: false);
        if (running.Trimmed != "true")
        {
            var publish = ports.SelectMany(p => new[] { "-p", $"{p}:{p}" }).ToArray();
            // Right after a dockerd restart or a leader change, attaching to the overlay can fail for a few
            // seconds ("network ... not found") while the node catches up with the managers.
            await Eventually.HoldsAsync(async () =>
                {
                    await Shell.RunAsync("docker", Host("rm", "-f", name), check: false);
                    var run = await Shell.RunAsync("docker", Host(["run", "-d", "--name", name, "--network", network, .. publish,
                        "swarmedge-lab/base:bookworm", "sleep", "infinity"]), check: false);
                    return run.ExitCode == 0;
                },
                TimeSpan.FromSeconds(60), $"sidecar {name} starts on {network}", TimeSpan.FromSeconds(2));
        }

        var pid = int.Parse((await Shell.RunAsync("docker", Host("inspect", "-f", "{{.State.Pid}}", name))).Trimmed);
        if (publishedOn is not null)
        {
            return new EdgeSidecar(name, pid, publishedOn);
        }

        // The gateway-bridge interface is the one that is not on the overlay.
        var address = (await Shell.RunAsync("nsenter", ["-t", pid.ToString(), "-n", "ip", "-4", "-o", "addr", "show", "eth1"])).Trimmed;
        var ip = address.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipWhile(f => f != "inet").Skip(1).First().Split('/')[0];
        return new EdgeSidecar(name, pid, ip);
    }

    /// <summary>The address the lab host's connections come from, as the sidecar (and an edge in it) sees them: its default gateway.</summary>
    public async Task<string> HostAddressAsync()
    {
        var route = await Shell.RunAsync("nsenter", ["-t", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "-n", "ip", "-4", "route", "show", "default"]);
        return route.Trimmed.Split(' ')[2];
    }
}
