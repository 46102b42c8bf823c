using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Lab;

/// <summary>
/// Deploys the repository's stack files on the three-node lab as a user would (docker stack deploy), with the
/// images of <see cref="ProductionImages"/>, and says when their services run.
/// </summary>
internal static class ProductionStack
{
    /// <summary>
    /// stack.yml, as shipped or with the probe port's host-mode publishing uncommented. It encrypts the control
    /// network (IPsec ESP between the nodes' VXLAN endpoints); a kernel without ESP (this lab's: adding an xfrm
    /// state fails with "function not implemented") drops that network's traffic between nodes, so the lab then
    /// deploys a copy without the encryption option, and says so.
    /// </summary>
    public static async Task<string> StackFileAsync(ITestOutputHelper output, bool publishProbePort = false)
    {
        var text = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "stack.yml"));
        if (publishProbePort)
        {
            const string commented = "      # - target: 8082              # readiness for whatever fronts the edge nodes\n" +
                                     "      #   published: 8082\n      #   protocol: tcp\n      #   mode: host\n";
            if (!text.Contains(commented, StringComparison.Ordinal))
            {
                throw new InvalidOperationException("stack.yml no longer has the commented probe port publishing this lab uncomments");
            }

            text = text.Replace(commented, "      - target: 8082\n        published: 8082\n        protocol: tcp\n        mode: host\n", StringComparison.Ordinal);
        }

        if (!text.Contains("encrypted: \"\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("stack.yml no longer encrypts its control network");
        }

        var esp = await EspAsync();
        if (esp is null && !publishProbePort)
        {
            return Path.Combine(RepoPaths.Root, "stack.yml");
        }

        if (esp is not null)
        {
            text = WithoutEncryption(text);
            Measurements.Record(output, "stack.yml on the three-node lab", $"this kernel has no IPsec ESP ({esp}): control network deployed unencrypted");
        }

        var copy = Path.Combine(RepoPaths.Root, "artifacts", publishProbePort ? "stack.probe-port.yml" : "stack.no-esp.yml");
        Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
        await File.WriteAllTextAsync(copy, text);
        return copy;
    }

    /// <summary>acme.yml as this lab can run it: its issuer-control network unencrypted when the kernel has no ESP.</summary>
    public static async Task<string> AcmeFileAsync()
    {
        var text = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "acme.yml"));
        if (await EspAsync() is null)
        {
            return Path.Combine(RepoPaths.Root, "acme.yml");
        }

        var copy = Path.Combine(RepoPaths.Root, "artifacts", "acme.no-esp.yml");
        Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
        await File.WriteAllTextAsync(copy, WithoutEncryption(text));
        return copy;
    }

    /// <summary>Null when this kernel can add an IPsec ESP state; else why not.</summary>
    private static async Task<string?> EspAsync()
    {
        var probe = await Shell.RunAsync("sh", ["-c",
            "ip netns add se-esp-probe 2>/dev/null; ip netns exec se-esp-probe ip xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x100 " +
            "mode transport aead 'rfc4106(gcm(aes))' 0x0102030405060708090a0b0c0d0e0f1011121314 64; rc=$?; ip netns del se-esp-probe; exit $rc"], check: false);
        return probe.ExitCode == 0 ? null : probe.Error.Trim();
    }

    private static string WithoutEncryption(string text) => text.Replace("    driver_opts:\n      encrypted: \"\"\n", "", StringComparison.Ordinal);

    /// <summary>
    /// docker stack deploy with the lab's images and sockets. Deploying is idempotent; a leader election in the
    /// middle of it (the lab runs on two cores) is retried.
    /// </summary>
    public static Task DeployAsync(ITestOutputHelper output, string file, string stack, params string[] environment) =>
        DeployAsync(output, [file], stack, environment);

    /// <summary>Several stack files merged into one stack (docker stack deploy -c a -c b), as stack.yml and acme.yml deploy.</summary>
    public static async Task DeployAsync(ITestOutputHelper output, string[] files, string stack, params string[] environment)
    {
        var gid = (await Shell.RunAsync("stat", ["-c", "%g", "/var/run/selab-n1.sock"])).Trimmed;
        await Eventually.HoldsAsync(async () =>
        {
            var deploy = await Shell.RunAsync("env",
            [
                $"SWARMEDGE_IMAGE={ProductionImages.Edge}", $"SOCKET_PROXY_IMAGE={ProductionImages.SocketProxy}", $"VRRP_IMAGE={ProductionImages.Vrrp}",
                $"ISSUER_IMAGE={ProductionImages.Issuer}",
                "DEMO_IMAGE=swarmedge-lab/whoami:latest",
                // The lab's three daemons share one filesystem: each node's own socket, by Swarm template.
                "DOCKER_SOCKET=/var/run/{{.Node.Hostname}}.sock", $"DOCKER_GID={gid}", .. environment,
                "docker", "-H", MultiNodeSwarm.HostOf(1), "stack", "deploy", .. files.SelectMany(f => new[] { "-c", Path.Combine(RepoPaths.Root, f) }), stack,
            ], check: false);
            output.WriteLine(deploy.Output + deploy.Error);
            return deploy.ExitCode == 0;
        }, TimeSpan.FromSeconds(120), $"docker stack deploy of {string.Join(" + ", files)} succeeds", TimeSpan.FromSeconds(5));
    }

    /// <summary>
    /// Waits until each service ("stack_service") has its number of running tasks; when time runs out, the
    /// stacks' task lists (with their errors) go to the output, since a task that never runs says why only there.
    /// </summary>
    public static async Task WaitRunningAsync(ITestOutputHelper output, TimeSpan timeout, params (string Stack, string Service, int Tasks)[] expected)
    {
        try
        {
            await Eventually.HoldsAsync(() => AllRunningAsync(expected), timeout, "the stacks' services run: " + string.Join(", ", expected.Select(e => $"{e.Stack}_{e.Service} {e.Tasks}")), TimeSpan.FromSeconds(1));
        }
        catch (TimeoutException)
        {
            foreach (var stack in expected.Select(e => e.Stack).Distinct())
            {
                var ps = await MultiNodeSwarm.Docker(1, "stack", "ps", "--no-trunc", "--format", "{{.Name}} {{.Node}} {{.DesiredState}} {{.CurrentState}} {{.Error}}", stack);
                output.WriteLine($"docker stack ps {stack}:\n{ps.Output}{ps.Error}");
            }

            throw;
        }
    }

    /// <summary>
    /// docker stack rm of each stack, asked again until their services and networks are gone (stack.yml's
    /// "swarmedge" network among them): networks go only once their tasks have stopped, and a new deploy must not
    /// find them half removed. A stack rm can fail in part (a network still in use by a task that is stopping) or
    /// as a whole (right after a cut node comes back the managers may answer "no leader" for minutes, as its higher
    /// Raft term forces elections), so each round asks a manager in turn and a timeout names what is left and the
    /// last answer.
    /// </summary>
    public static Task RemoveAsync(TimeSpan timeout, params string[] stacks) => RemoveAsync(timeout, stacks, []);

    /// <summary>
    /// The stacks, and services a test created next to them (on their networks, which cannot go while such a service
    /// is there): a service whose docker service rm was refused (no leader after a cut) is asked again each round.
    /// </summary>
    public static async Task RemoveAsync(TimeSpan timeout, string[] stacks, IReadOnlyCollection<string> alongside)
    {
        bool Ours(string name) => stacks.Any(s => name.StartsWith(s + "_", StringComparison.Ordinal)) || alongside.Contains(name);
        var round = 0;
        var left = "";
        var answer = "";
        try
        {
            await Eventually.HoldsAsync(async () =>
            {
                var node = 1 + (round++ % 3);
                var networks = await MultiNodeSwarm.Docker(node, "network", "ls", "--format", "{{.Name}}");
                var services = await MultiNodeSwarm.Docker(node, "service", "ls", "--format", "{{.Name}}");
                if (networks.ExitCode != 0 || services.ExitCode != 0)
                {
                    answer = $"n{node}: {networks.Error}{services.Error}".Trim();
                    return false;
                }

                var listed = services.Trimmed.Split('\n');
                left = string.Join(", ", networks.Trimmed.Split('\n').Where(n => n == "swarmedge" || Ours(n)).Concat(listed.Where(Ours)));
                if (left == "")
                {
                    return true;
                }

                foreach (var service in alongside.Where(listed.Contains))
                {
                    var rm = await MultiNodeSwarm.Docker(node, "service", "rm", service);
                    if (rm.ExitCode != 0)
                    {
                        answer = $"n{node}: {rm.Output}{rm.Error}".Trim();
                    }
                }

                foreach (var stack in stacks)
                {
                    var rm = await MultiNodeSwarm.Docker(node, "stack", "rm", stack);
                    if (rm.ExitCode != 0)
                    {
                        answer = $"n{node}: {rm.Output}{rm.Error}".Trim();
                    }
                }

                return false;
            }, timeout, $"the stacks {string.Join(", ", stacks)} are removed", TimeSpan.FromSeconds(2));
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}; left: {left}; last answer: {answer}", ex);
        }
    }

    /// <summary>Whether each service ("stack_service") has exactly its number of running tasks now.</summary>
    public static async Task<bool> AllRunningAsync(params (string Stack, string Service, int Tasks)[] expected)
    {
        foreach (var (stack, service, tasks) in expected)
        {
            if (await RunningAsync(stack, service) != tasks)
            {
                return false;
            }
        }

        return true;
    }

    public static async Task<int> RunningAsync(string stack, string service) =>
        (await MultiNodeSwarm.Docker(1, "service", "ps", $"{stack}_{service}", "--filter", "desired-state=running", "--format", "{{.CurrentState}}"))
            .Trimmed.Split('\n').Count(s => s.StartsWith("Running", StringComparison.Ordinal));
}
