using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
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
    private Pebble? _pebble;
    private int? _cut;

    [Fact]
    public async Task Both_edge_nodes_serve_a_new_certificate_after_one_order_and_losing_the_issuers_node_mid_order_issues_no_duplicate()
    {
        await ProductionImages.EnsureAsync();
        await MultiNodeSwarm.WaitHealthyAsync();
        await MultiNodeSwarm.SetEdgeLabelAsync(2, true);
        _pebble = await Pebble.StartAsync("10.77.0.1", MultiNodeSwarm.AddressOf(1), httpPort: 80);
        await Shell.RunAsync("sh", ["-c", $"printf %s {Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))} | docker -H {MultiNodeSwarm.HostOf(1)} secret create {Secret} -"]);
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

        // The issuer's node is cut while it orders the next host. Until the cut the CA's challenge goes to an address
        // that answers nothing, so that order cannot complete before it; after the cut the CA checks challenges on
        // an edge node that stays up, and the issuer's replacement takes the abandoned lock over and orders again.
        var issuerNode = await IssuerNodeAsync(1);
        var otherEdge = issuerNode == 1 ? 2 : 1;
        await _pebble.ResolveToAsync("10.77.0.99");
        var ordersBefore = _pebble.Orders;
        var second = await CreateServiceAsync();
        await Eventually.HoldsAsync(() => _pebble.Orders > ordersBefore, TimeSpan.FromSeconds(60), $"the issuer on n{issuerNode} places the order for {second}",
            TimeSpan.FromMilliseconds(50));
        var cut = Stopwatch.StartNew();
        await MultiNodeSwarm.CutAsync(issuerNode);
        _cut = issuerNode;
        await _pebble.ResolveToAsync(MultiNodeSwarm.AddressOf(otherEdge));
        var recovered = await ServedAsync(otherEdge, second, root, cut, TimeSpan.FromSeconds(240));
        var newNode = await IssuerNodeAsync(otherEdge);
        await MultiNodeSwarm.RestoreAsync(issuerNode);
        _cut = null;
        await MultiNodeSwarm.WaitHealthyAsync();
        // The first host is still served by the edge that stayed, and neither host got a second valid certificate.
        await ServedAsync(otherEdge, first, root, Stopwatch.StartNew(), TimeSpan.FromSeconds(10));
        Assert.Equal(2, _pebble.Issued);
        Measurements.Record(output, "ACME on the three-node lab (stack.yml + acme.yml, edges n1 and n2)",
            $"a new service was served over HTTPS by n1 {servedN1:0.0} s and n2 {servedN2:0.0} s after it was created, after 1 order; " +
            $"the issuer's node n{issuerNode} cut during the next order: the replacement ran on n{newNode} and the host was served on n{otherEdge} " +
            $"{recovered:0.0} s after the cut; {_pebble.Orders} orders and {_pebble.Issued} certificates in all (one per host)");
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
        return int.Parse(node[^1..], CultureInfo.InvariantCulture);
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

        foreach (var name in _services)
        {
            await MultiNodeSwarm.Docker(1, "service", "rm", name);
        }

        try
        {
            var logs = await Shell.RunAsync("docker", ["-H", MultiNodeSwarm.HostOf(1), "service", "logs", "--raw", $"{Stack}_issuer"], TimeSpan.FromSeconds(20), check: false);
            output.WriteLine(logs.Output.Length > 20000 ? logs.Output[^20000..] : logs.Output);
            await ProductionStack.RemoveAsync(TimeSpan.FromSeconds(240), Stack);
        }
        finally
        {
            await MultiNodeSwarm.SetEdgeLabelAsync(2, false);
            await Shell.RunAsync("docker", ["-H", MultiNodeSwarm.HostOf(1), "secret", "rm", Secret], check: false);
            await Shell.RunAsync("sh", ["-c", $"docker -H {MultiNodeSwarm.HostOf(1)} config ls -q --filter label=swarmedge.acme | xargs -r docker -H {MultiNodeSwarm.HostOf(1)} config rm"],
                check: false);
            await Shell.RunAsync("docker", ["-H", MultiNodeSwarm.HostOf(1), "config", "rm", $"{Stack}_pebble_ca"], check: false);
            if (_pebble is not null)
            {
                await _pebble.DisposeAsync();
            }
        }
    }
}
