using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using SwarmEdge.IntegrationTests.Lab;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Deployment;

/// <summary>
/// Automatic certificates in the production shape on the three-node lab: stack.yml and acme.yml deployed together
/// with the images built from the repository, edge nodes n1 and n2, Pebble on the lab host (names resolved to an
/// edge node by pebble-challtestsrv), and a client outside the nodes checking what each edge node presents.
/// </summary>
[Collection(MultiNodeSwarmCollection.Name)]
public sealed class AcmeStackTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Stack = "it-acme";
    private const string Secret = "swarmedge_acme_key";
    private const string Override = "artifacts/acme.lab.yml";
    private readonly List<string> _services = [];
    private readonly string _keyFile = Path.Combine(RepoPaths.Root, "artifacts", "acme-stack-key");
    private Pebble? _pebble;
    private int? _cut;

    /// <summary>
    /// One deployment, in turn: a new host (both edge nodes, one order); what an application service on the
    /// swarmedge network can reach of the keys; a renewal under HTTPS load on both edge nodes; the CA unreachable and
    /// back; the issuer's node lost mid-order.
    /// </summary>
    [Fact]
    public async Task Both_edge_nodes_serve_a_new_certificate_after_one_order_and_losing_the_issuers_node_mid_order_issues_no_duplicate()
    {
        await ProductionImages.EnsureAsync();
        await MultiNodeSwarm.WaitHealthyAsync();
        await MultiNodeSwarm.SetEdgeLabelAsync(2, true);
        _pebble = await Pebble.StartAsync("10.77.0.1", MultiNodeSwarm.AddressOf(1), httpPort: 80);
        await File.WriteAllTextAsync(_keyFile, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
        await Shell.RunAsync("docker", ["-H", MultiNodeSwarm.HostOf(1), "secret", "create", Secret, _keyFile]);
        await File.WriteAllTextAsync(Path.Combine(RepoPaths.Root, Override), $$"""
            version: "3.8"
            services:
              edge:
                environment:
                  SwarmEdge__Acme__PollInterval: "00:00:01"
              issuer:
                environment:
                  SwarmEdge__Acme__PollInterval: "00:00:01"
                  SwarmEdge__Acme__CaCertificates: /run/pebble-ca.pem
                  SwarmEdge__Acme__OrderTimeout: "00:00:20"
                  SwarmEdge__Acme__RetryAfter: "00:00:02"
                configs:
                  - source: pebble_ca
                    target: /run/pebble-ca.pem
            configs:
              pebble_ca:
                file: {{_pebble.TlsCaFile}}
            """);
        await ProductionStack.DeployAsync(output, [await ProductionStack.StackFileAsync(output), await ProductionStack.AcmeFileAsync(), Override], Stack,
            "ACME_EMAIL=ops@lab.test", $"ACME_DIRECTORY={_pebble.DirectoryUrl}");
        await ProductionStack.WaitRunningAsync(output, TimeSpan.FromSeconds(180),
            (Stack, "edge", 2), (Stack, "socket-proxy", 3), (Stack, "issuer", 1), (Stack, "issuer-socket-proxy", 3));
        var root = await _pebble.RootAsync();
        var first = await CreateServiceAsync();
        var created = Stopwatch.StartNew();
        var servedN1 = await ServedAsync(1, first, root, created, TimeSpan.FromSeconds(90));
        var servedN2 = await ServedAsync(2, first, root, created, TimeSpan.FromSeconds(30));
        Assert.Equal(1, _pebble.Orders);

        var tenant = await TenantProbeAsync();
        var renewal = await RenewUnderLoadAsync(first, root);
        var (caFailures, caRecovered, newRoot) = await CaUnreachableAsync(first, root);
        var (issuerNode, newNode, otherEdge, recovered, orders, issued) = await IssuerNodeLostAsync(first, newRoot);
        Measurements.Record(output, "ACME on the three-node lab (stack.yml + acme.yml, edges n1 and n2)",
            $"a new service was served over HTTPS by n1 {servedN1:0.0} s and n2 {servedN2:0.0} s after it was created, after 1 order; " +
            $"an application service on the swarmedge network: {tenant}; " +
            $"`swarmedge acme renew` under HTTPS load: {renewal}; " +
            $"the CA stopped: {caFailures} failed orders for a new host seen in `acme list`, the first host served on both nodes meanwhile, " +
            $"the new host served on both {caRecovered:0.0} s after the CA came back; " +
            $"the issuer's node n{issuerNode} cut during the next order: the replacement ran on n{newNode} and the host was served on n{otherEdge} " +
            $"{recovered:0.0} s after the cut; {orders} orders and {issued} certificate for it (one per host)");
    }

    /// <summary>
    /// An application service on the swarmedge network looks for a way to the keys: the edge's and the issuer's
    /// socket proxies and the issuer by name (stack name or not, tasks.), by the task addresses Docker gave them on
    /// their own networks, and the edge's admin port. Every one must fail.
    /// </summary>
    private async Task<string> TenantProbeAsync()
    {
        var targets = new List<string>();
        foreach (var (service, network, port) in new[] { ("socket-proxy", "control", 2375), ("issuer-socket-proxy", "issuer-control", 2375), ("issuer", "acme", 8402), ("issuer", "issuer-control", 8402) })
        {
            targets.AddRange([$"name:{service}", $"name:{Stack}_{service}", $"name:tasks.{Stack}_{service}"]);
            var addresses = (await TaskAddressesAsync($"{Stack}_{network}", $"{Stack}_{service}")).Select(a => $"tcp:{a}:{port}").ToList();
            Assert.True(addresses.Count > 0, $"{Stack}_{service} has a task address on {Stack}_{network}");
            targets.AddRange(addresses);
        }

        var edgeAddresses = await TaskAddressesAsync("swarmedge", $"{Stack}_edge");
        Assert.NotEmpty(edgeAddresses);
        targets = targets.Distinct().ToList();
        targets.AddRange(edgeAddresses.SelectMany(a => new[] { $"tcp:{a}:8081", $"tcp:{a}:2375" }));
        // The edge's challenge route is public on purpose; anything else on the issuer must stay out of reach.
        // Every probe at once, each with a deadline: a name Docker's DNS does not know goes to resolvers the lab lacks.
        var script = string.Join('\n',
            "probe() {",
            "  case $1 in",
            "    name:*) if timeout 5 getent hosts ${1#name:} >/dev/null; then echo REACHED $1; else echo REFUSED $1; fi ;;",
            "    tcp:*) a=${1#tcp:}; if timeout 3 bash -c \"exec 3<>/dev/tcp/${a%:*}/${a##*:}\" 2>/dev/null; then echo REACHED $1; else echo REFUSED $1; fi ;;",
            "  esac",
            "}",
            "for t in " + string.Join(' ', targets) + "; do probe $t & done",
            "wait",
            "echo PROBE-DONE",
            "sleep infinity");
        var name = SwarmServices.UniqueName("acme-tenant");
        await MultiNodeSwarm.Docker(1, "service", "create", "--detach", "--name", name, "--network", "swarmedge", "--replicas", "1",
            "--endpoint-mode", "dnsrr", "--restart-condition", "on-failure", "swarmedge-lab/base:bookworm", "bash", "-c", script);
        _services.Add(name);
        var lines = Array.Empty<string>();
        try
        {
            await Eventually.HoldsAsync(async () =>
            {
                lines = await ContainerLogAsync(name);
                return lines.Contains("PROBE-DONE");
            }, TimeSpan.FromSeconds(120), "the tenant's probe finishes", TimeSpan.FromSeconds(1));
        }
        catch (TimeoutException e)
        {
            // Once seen in CI: no PROBE-DONE in 120 s. What Swarm did with the task says whether it ever ran.
            var tasks = await Shell.RunAsync("docker", ["-H", MultiNodeSwarm.HostOf(1), "service", "ps", "--no-trunc", name], TimeSpan.FromSeconds(20), check: false);
            throw new TimeoutException($"{e.Message}\n{tasks.Output}{tasks.Error}\nlogs:\n{string.Join('\n', lines)}", e);
        }
        var refused = lines.Count(l => l.StartsWith("REFUSED ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("REACHED ", StringComparison.Ordinal));
        Assert.Equal(targets.Count, refused);
        return $"{refused} of {targets.Count} ways to the socket proxies, the issuer and the edge's admin port refused";
    }

    /// <summary>
    /// The log of a one-replica service's running task, read from the container on its node: `docker service logs`
    /// goes through the manager's log broker, which once stayed empty for two minutes in CI while the task ran (after
    /// the test before had cut and restored a node's link).
    /// </summary>
    private static async Task<string[]> ContainerLogAsync(string service)
    {
        var task = await Shell.RunAsync("docker", ["-H", MultiNodeSwarm.HostOf(1), "service", "ps", "--filter", "desired-state=running", "--no-trunc",
            "--format", "{{.ID}} {{.Node}}", service], TimeSpan.FromSeconds(20), check: false);
        var running = task.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault()?.Split(' ');
        if (running is not [var id, var hostname])
        {
            return [];
        }

        var node = MultiNodeSwarm.NodeNamed(hostname);
        var container = await Shell.RunAsync("docker", ["-H", MultiNodeSwarm.HostOf(1), "inspect", "--format", "{{.Status.ContainerStatus.ContainerID}}", id],
            TimeSpan.FromSeconds(20), check: false);
        if (container.Trimmed.Length == 0)
        {
            return [];
        }

        var logs = await Shell.RunAsync("docker", ["-H", MultiNodeSwarm.HostOf(node), "logs", container.Trimmed], TimeSpan.FromSeconds(20), check: false);
        return logs.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>The addresses a service's tasks have on a network, as a manager's network database lists them.</summary>
    private static async Task<string[]> TaskAddressesAsync(string network, string service)
    {
        var inspect = await MultiNodeSwarm.Docker(1, "network", "inspect", "--verbose", network,
            "--format", $"{{{{range $name, $s := .Services}}}}{{{{if eq $name \"{service}\"}}}}{{{{range $s.Tasks}}}}{{{{.EndpointIP}}}} {{{{end}}}}{{{{end}}}}{{{{end}}}}");
        return inspect.Trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>A renewal requested by the operator's command while clients open a connection per request to both edge nodes.</summary>
    private async Task<string> RenewUnderLoadAsync(string host, X509Certificate2 root)
    {
        var before = await TlsProbe.ThumbprintAsync(MultiNodeSwarm.AddressOf(1), 443, host);
        var orders = _pebble!.Orders;
        var loads = new[] { 1, 2 }.Select(node => new LoadGenerator(new Uri($"https://{host}/"), host, 3,
            https: new HttpsClient(new IPEndPoint(IPAddress.Parse(MultiNodeSwarm.AddressOf(node)), 443), root), closeEach: true).Start()).ToList();
        try
        {
            foreach (var load in loads)
            {
                await load.WaitForRequestsAsync(50, TimeSpan.FromSeconds(30));
            }

            var renewing = Stopwatch.StartNew();
            var renew = await Commands.CommandRunner.SwarmEdgeAsync("acme", "--docker", MultiNodeSwarm.HostOf(1), "--key-file", _keyFile, "renew", host);
            Assert.True(renew.ExitCode == 0, renew.Output);
            await Eventually.HoldsAsync(async () => await TlsProbe.ThumbprintAsync(MultiNodeSwarm.AddressOf(1), 443, host) != before
                                                    && await TlsProbe.ThumbprintAsync(MultiNodeSwarm.AddressOf(2), 443, host) != before,
                TimeSpan.FromSeconds(60), "both edge nodes present the renewed certificate", TimeSpan.FromMilliseconds(200));
            var switched = renewing.Elapsed.TotalSeconds;
            foreach (var load in loads)
            {
                await load.WaitForRequestsAsync(load.Requests + 50, TimeSpan.FromSeconds(30));
                await load.StopAsync();
            }

            Assert.Equal(orders + 1, _pebble.Orders);
            Assert.All(loads, load => Assert.Empty(load.Failures));
            return $"both nodes presented the new certificate {switched:0.0} s after the command, after 1 order; " +
                   $"{string.Join(" + ", loads.Select(l => l.Requests))} requests on new connections to n1 and n2, {loads.Sum(l => l.Failures.Count)} failed";
        }
        finally
        {
            foreach (var load in loads)
            {
                await load.DisposeAsync();
            }
        }
    }

    /// <summary>The CA stopped: what is served stays served, a new host's failed order is visible, and it is served once the CA is back.</summary>
    private async Task<(int Failures, double Recovered, X509Certificate2 NewRoot)> CaUnreachableAsync(string first, X509Certificate2 root)
    {
        await _pebble!.StopAsync();
        var host = await CreateServiceAsync();
        var failures = 0;
        await Eventually.HoldsAsync(async () =>
        {
            var list = await Commands.CommandRunner.SwarmEdgeAsync("acme", "--docker", MultiNodeSwarm.HostOf(1), "--key-file", _keyFile, "list", "--format", "json");
            using var status = JsonDocument.Parse(list.Output);
            var entry = status.RootElement.EnumerateArray().FirstOrDefault(e => e.GetProperty("host").GetString() == host);
            failures = entry.ValueKind == JsonValueKind.Object ? entry.GetProperty("failures").GetInt32() : 0;
            return failures >= 1 && entry.GetProperty("lastError").GetString() is { Length: > 0 };
        }, TimeSpan.FromSeconds(90), $"`swarmedge acme list` shows the failed order for {host}", TimeSpan.FromSeconds(1));
        await ServedAsync(1, first, root, Stopwatch.StartNew(), TimeSpan.FromSeconds(10));
        await ServedAsync(2, first, root, Stopwatch.StartNew(), TimeSpan.FromSeconds(10));

        var back = Stopwatch.StartNew();
        await _pebble.StartAgainAsync();
        var newRoot = await _pebble.RootAsync();
        await ServedAsync(1, host, newRoot, back, TimeSpan.FromSeconds(120));
        var recovered = await ServedAsync(2, host, newRoot, back, TimeSpan.FromSeconds(30));
        return (failures, recovered, newRoot);
    }

    /// <summary>
    /// The issuer's node is cut while it orders the next host. Until the cut the CA's challenge goes to an address that
    /// answers nothing, so that order cannot complete before it; after the cut the CA checks challenges on an edge
    /// node that stays up, and the issuer's replacement takes the abandoned lock over and orders again.
    /// </summary>
    private async Task<(int IssuerNode, int NewNode, int OtherEdge, double Recovered, int Orders, int Issued)> IssuerNodeLostAsync(string first, X509Certificate2 root)
    {
        var pebble = _pebble!;
        // The issuer's node, not the Raft leader's: losing the leader is NodeFailureTests' case, and in this lab a lost
        // leader has left the swarm leaderless for minutes (swarmkit's Raft has no pre-vote), with nothing to schedule
        // the issuer's replacement (a full run failed so, 2026-12-07).
        var leader = await MultiNodeSwarm.LeaderAsync();
        if (await IssuerNodeAsync(1) == leader)
        {
            await MultiNodeSwarm.Docker(leader, "service", "update", "--detach=false", "--quiet", "--constraint-add",
                $"node.hostname!={MultiNodeSwarm.HostnameOf(leader)}", $"{Stack}_issuer");
            await Eventually.HoldsAsync(async () => await IssuerNodeAsync(1) != leader, TimeSpan.FromSeconds(120), "the issuer runs off the leader's node",
                TimeSpan.FromSeconds(1));
        }

        var issuerNode = await IssuerNodeAsync(1);
        var otherEdge = issuerNode == 1 ? 2 : 1;
        await pebble.ResolveToAsync("10.77.0.99");
        var ordersBefore = pebble.Orders;
        var issuedBefore = pebble.Issued;
        var second = await CreateServiceAsync();
        await Eventually.HoldsAsync(() => pebble.Orders > ordersBefore, TimeSpan.FromSeconds(60), $"the issuer on n{issuerNode} places the order for {second}",
            TimeSpan.FromMilliseconds(50));
        var cut = Stopwatch.StartNew();
        await MultiNodeSwarm.CutAsync(issuerNode);
        _cut = issuerNode;
        await pebble.ResolveToAsync(MultiNodeSwarm.AddressOf(otherEdge));
        var recovered = await ServedAsync(otherEdge, second, root, cut, TimeSpan.FromSeconds(240));
        var newNode = await IssuerNodeAsync(otherEdge);
        await MultiNodeSwarm.RestoreAsync(issuerNode);
        _cut = null;
        await MultiNodeSwarm.WaitHealthyAsync();
        // The first host is still served by the edge that stayed, and the host got no second valid certificate.
        await TlsProbe.ThumbprintAsync(MultiNodeSwarm.AddressOf(otherEdge), 443, first);
        Assert.Equal(1, pebble.Issued - issuedBefore);
        return (issuerNode, newNode, otherEdge, recovered, pebble.Orders - ordersBefore, pebble.Issued - issuedBefore);
    }

    private async Task<string> CreateServiceAsync()
    {
        var name = SwarmServices.UniqueName("acme");
        var host = $"{name}.lab.test";
        await MultiNodeSwarm.Docker(1, "service", "create", "--detach", "--name", name, "--network", "swarmedge", "--endpoint-mode", "dnsrr",
            "--replicas", "2", "--label", "swarmedge.enable=true", "--label", "swarmedge.http.port=80", "--label", $"swarmedge.http.host={host}",
            "--label", "swarmedge.http.acme=true", SwarmServices.Image);
        _services.Add(name);
        return host;
    }

    /// <summary>The node the running issuer task is on, as a manager that is not cut off says.</summary>
    private static async Task<int> IssuerNodeAsync(int askNode)
    {
        string node = "";
        await Eventually.HoldsAsync(async () =>
        {
            node = (await MultiNodeSwarm.Docker(askNode, "service", "ps", $"{Stack}_issuer", "--filter", "desired-state=running", "--format", "{{.Node}} {{.CurrentState}}"))
                .Trimmed.Split('\n').FirstOrDefault(l => l.Contains(" Running", StringComparison.Ordinal))?.Split(' ')[0] ?? "";
            return node.Length > 0;
        }, TimeSpan.FromSeconds(120), "the issuer runs", TimeSpan.FromSeconds(1));
        return MultiNodeSwarm.NodeNamed(node);
    }

    private static async Task<double> ServedAsync(int node, string host, X509Certificate2 root, Stopwatch since, TimeSpan timeout)
    {
        var https = new HttpsClient(new IPEndPoint(IPAddress.Parse(MultiNodeSwarm.AddressOf(node)), 443), root);
        using var client = https.Client(TimeSpan.FromSeconds(3));
        await Eventually.HoldsAsync(async () =>
        {
            try
            {
                using var response = await client.GetAsync($"https://{host}/");
                return response.StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
            catch (TaskCanceledException)
            {
                return false;
            }
        }, timeout, $"n{node} serves https://{host}/ with a certificate from the CA", TimeSpan.FromMilliseconds(250));
        return since.Elapsed.TotalSeconds;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_cut is { } node)
        {
            await MultiNodeSwarm.RestoreAsync(node);
            await MultiNodeSwarm.WaitHealthyAsync();
        }

        try
        {
            var logs = await Shell.RunAsync("docker", ["-H", MultiNodeSwarm.HostOf(1), "service", "logs", "--raw", $"{Stack}_issuer"], TimeSpan.FromSeconds(20), check: false);
            output.WriteLine(logs.Output.Length > 20000 ? logs.Output[^20000..] : logs.Output);
            await ProductionStack.RemoveAsync(TimeSpan.FromSeconds(240), [Stack], _services);
        }
        finally
        {
            await MultiNodeSwarm.SetEdgeLabelAsync(2, false);
            await Shell.RunAsync("docker", ["-H", MultiNodeSwarm.HostOf(1), "secret", "rm", Secret], check: false);
            await Shell.RunAsync("sh", ["-c", $"docker -H {MultiNodeSwarm.HostOf(1)} config ls -q --filter label=swarmedge.acme | xargs -r docker -H {MultiNodeSwarm.HostOf(1)} config rm"],
                check: false);
            await Shell.RunAsync("docker", ["-H", MultiNodeSwarm.HostOf(1), "config", "rm", $"{Stack}_pebble_ca"], check: false);
            File.Delete(_keyFile);
            if (_pebble is not null)
            {
                await _pebble.DisposeAsync();
            }
        }
    }
}
