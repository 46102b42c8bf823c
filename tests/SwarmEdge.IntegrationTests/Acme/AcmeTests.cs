using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using SwarmEdge.IntegrationTests.Hostile;
using SwarmEdge.IntegrationTests.Lab;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Acme;

/// <summary>
/// Automatic certificates end to end on the one-node lab: Pebble (Debian's ACME test CA) on the lab host, names
/// resolved to the edges' address by pebble-challtestsrv, the real issuer (swarmedge issuer, with Debian's lego)
/// and two real edges sharing nothing but the swarm: the issuer stores each certificate as a sealed Docker
/// config, both edges read and serve it. Pebble checks HTTP-01 on edge A's port; edge A forwards it to the issuer.
/// The edges and the issuer reach the Docker API only through the real socket proxy images, as acme.yml runs them.
/// </summary>
[Collection(SingleNodeSwarmCollection.Name)]
public sealed class AcmeTests(SingleNodeSwarm swarm, ITestOutputHelper output) : IAsyncLifetime
{
    private const int PortA = 18430; // proxy; admin +1, HTTPS +2
    private const int PortB = 18434;
    private const int ChallengePort = 18438;
    private const int EdgeProxyPort = 23760;
    private const int IssuerProxyPort = 23761;
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);
    private readonly SwarmServices _services = swarm.NewServices();
    private readonly string _work = Directory.CreateDirectory(Path.Combine(RepoPaths.Root, "artifacts", "acme-" + Guid.NewGuid().ToString("N")[..8])).FullName;
    private readonly List<IAsyncDisposable> _running = [];
    private readonly List<int> _edgePorts = [];
    private string _keyFile = "";
    private string _gateway = "";

    public async Task InitializeAsync()
    {
        _keyFile = Path.Combine(_work, "storage-key");
        await File.WriteAllTextAsync(_keyFile, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)) + "\n");
        // The lab host as the edges' namespace reaches it: Pebble and the socket proxies listen there.
        var route = await Shell.RunAsync("nsenter", ["-t", swarm.Sidecar.Pid.ToString(CultureInfo.InvariantCulture), "-n", "ip", "-4", "route", "show", "default"]);
        _gateway = route.Trimmed.Split(' ')[2];
        await SocketProxyTests.RunningProxy.StartAsync("it-acme-edge-proxy", EdgeProxyPort, config: null, _gateway);
        await SocketProxyTests.RunningProxy.StartAsync("it-acme-issuer-proxy", IssuerProxyPort, "issuer.cfg", _gateway);
    }

    [Fact]
    public async Task A_labelled_service_gets_one_certificate_that_both_edges_serve()
    {
        var pebble = await StartPebbleAsync();
        var edgeA = await StartEdgeAsync(PortA, "a");
        var edgeB = await StartEdgeAsync(PortB, "b");
        StartIssuer(pebble, "one@example.com");
        var host = $"{SwarmServices.UniqueName("acme")}.test";
        var name = SwarmServices.UniqueName("acme");
        var created = Stopwatch.StartNew();
        await _services.CreateAsync(name, 2, SwarmServices.Labels(80, ("swarmedge.http.host", host), ("swarmedge.http.acme", "true")));

        var root = await pebble.RootAsync();
        var servedA = await ServedAfterAsync(PortA + 2, host, root, created);
        var servedB = await ServedAfterAsync(PortB + 2, host, root, created);
        Assert.Equal(await ThumbprintAsync(PortA + 2, host), await ThumbprintAsync(PortB + 2, host));
        Assert.Equal(1, pebble.Orders);

        // Polls go on (every second): nothing is ordered again for a name whose certificate is valid.
        var window = Stopwatch.StartNew();
        while (window.Elapsed < 5 * Poll)
        {
            Assert.Equal(1, pebble.Orders);
            await Task.Delay(Poll);
        }

        Assert.Equal(1, pebble.Issued);
        var stored = await Shell.DockerAsync("config", "ls", "--filter", "label=swarmedge.acme=certificate", "--format", "{{.Name}}");
        Assert.Single(stored.Trimmed.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var data = await Shell.DockerAsync("config", "inspect", stored.Trimmed, "--format", "{{json .Spec.Data}}");
        Assert.DoesNotContain("PRIVATE KEY", System.Text.Encoding.ASCII.GetString(Convert.FromBase64String(data.Trimmed.Trim('"'))));

        // The operator's command, through the issuer's socket proxy: the list shows the host; a renewal request is
        // ordered once, and both edges move to the new certificate.
        string[] acme = ["acme", "--docker", $"tcp://{_gateway}:{IssuerProxyPort}", "--key-file", _keyFile];
        var list = await Commands.CommandRunner.SwarmEdgeAsync([.. acme, "list"]);
        Assert.Equal(0, list.ExitCode);
        Assert.Contains(host, list.Output);
        var before = await ThumbprintAsync(PortA + 2, host);
        var renewed = Stopwatch.StartNew();
        var renew = await Commands.CommandRunner.SwarmEdgeAsync([.. acme, "renew", host]);
        Assert.Equal(0, renew.ExitCode);
        await Eventually.HoldsAsync(async () => await ThumbprintAsync(PortA + 2, host) != before && await ThumbprintAsync(PortB + 2, host) != before,
            TimeSpan.FromSeconds(30), "both edges present the certificate the renewal request ordered", TimeSpan.FromMilliseconds(200));
        var renewedAfter = renewed.Elapsed.TotalSeconds;
        Assert.Equal(2, pebble.Orders);
        await Eventually.HoldsAsync(async () => !(await Shell.DockerAsync("config", "ls", "--format", "{{.Name}}")).Output.Contains("swarmedge-acme-renewal-", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "the answered renewal request is removed");
        Measurements.Record(output, "ACME, a new labelled service (Pebble, two edges)",
            $"served over HTTPS by edge A {servedA:0.0} s and edge B {servedB:0.0} s after docker service create; 1 order placed, " +
            $"1 certificate issued, none more over {window.Elapsed.TotalSeconds:0} s of polls; the stored config holds no readable key; " +
            $"`swarmedge acme renew` ordered once more and both edges presented the new certificate {renewedAfter:0.0} s later");
        _ = edgeA;
        _ = edgeB;
    }

    [Fact]
    public async Task A_wildcard_route_gets_its_certificate_by_dns_01_through_the_dns_provider()
    {
        var pebble = await StartPebbleAsync();
        await StartEdgeAsync(PortA, "a");
        // lego's exec provider: a hook that sets and clears the TXT record on the test's DNS server, as a real
        // provider (cloudflare, route53, ...) would on the zone's.
        var hook = Path.Combine(_work, "dns-hook.sh");
        await File.WriteAllTextAsync(hook, string.Join('\n',
            "#!/bin/sh",
            "set -e",
            "case \"$1\" in",
            $"  present) curl -sf -X POST -d \"{{\\\"host\\\":\\\"$2\\\",\\\"value\\\":\\\"$3\\\"}}\" {pebble.Management}/set-txt ;;",
            $"  cleanup) curl -sf -X POST -d \"{{\\\"host\\\":\\\"$2\\\"}}\" {pebble.Management}/clear-txt ;;",
            "esac",
            ""));
        await Shell.RunAsync("chmod", ["700", hook]);
        var issuer = StartIssuer(pebble, "four@example.com", dns: ("exec", pebble.DnsServer), environment: new() { ["EXEC_PATH"] = hook });
        var zone = $"{SwarmServices.UniqueName("wild")}.test";
        await _services.CreateAsync(SwarmServices.UniqueName("acme"), 1, SwarmServices.Labels(80, ("swarmedge.http.host", $"*.{zone}"), ("swarmedge.http.acme", "true")));

        var root = await pebble.RootAsync();
        var created = Stopwatch.StartNew();
        var served = await ServedAfterAsync(PortA + 2, $"shop.{zone}", root, created, TimeSpan.FromSeconds(90));
        await ServedAfterAsync(PortA + 2, $"api.{zone}", root, Stopwatch.StartNew(), TimeSpan.FromSeconds(5));
        Assert.Equal(1, pebble.Orders);
        Assert.Contains($"Ordering a certificate for *.{zone}", issuer.Log);
        Measurements.Record(output, "ACME, a wildcard route by DNS-01 (lego's exec provider setting the TXT record on Pebble's DNS)",
            $"*.{zone}: shop.{zone} served over HTTPS {served:0.0} s after the service was created, api.{zone} by the same certificate; 1 order");
    }

    [Fact]
    public async Task A_renewal_under_https_load_fails_no_request_and_both_edges_present_the_new_certificate()
    {
        // 30 s certificates renewed with half their life left: the first renewal comes 15 s after the first issue.
        var pebble = await StartPebbleAsync(validitySeconds: 30);
        await StartEdgeAsync(PortA, "a");
        await StartEdgeAsync(PortB, "b");
        StartIssuer(pebble, "three@example.com", renewWhenLeft: 0.5);
        var host = $"{SwarmServices.UniqueName("acme")}.test";
        await _services.CreateAsync(SwarmServices.UniqueName("acme"), 2, SwarmServices.Labels(80, ("swarmedge.http.host", host), ("swarmedge.http.acme", "true")));
        var root = await pebble.RootAsync();
        await ServedAfterAsync(PortA + 2, host, root, Stopwatch.StartNew());
        await ServedAfterAsync(PortB + 2, host, root, Stopwatch.StartNew());
        var first = await ThumbprintAsync(PortA + 2, host);

        // New connections only: every request is a handshake, so each one sees the certificate that serves now.
        var loads = new[] { PortA + 2, PortB + 2 }.Select(port => new LoadGenerator(new Uri($"https://{host}:{port}/"), host, 3,
            https: new HttpsClient(new IPEndPoint(IPAddress.Parse(swarm.Sidecar.Address), port), root), closeEach: true).Start()).ToList();
        try
        {
            var renewing = Stopwatch.StartNew();
            await Eventually.HoldsAsync(async () => await ThumbprintAsync(PortA + 2, host) != first && await ThumbprintAsync(PortB + 2, host) != first,
                TimeSpan.FromSeconds(60), "both edges present the renewed certificate", TimeSpan.FromMilliseconds(100));
            var switched = renewing.Elapsed.TotalSeconds;
            var orders = pebble.Orders;
            foreach (var load in loads)
            {
                await load.WaitForRequestsAsync(load.Requests + 50, TimeSpan.FromSeconds(30));
                await load.StopAsync();
            }

            Assert.Equal(2, orders);
            Assert.All(loads, load => Assert.Empty(load.Failures));
            Measurements.Record(output, "ACME renewal under HTTPS load (30 s certificates, renewed at half life)",
                $"both edges presented the renewed certificate {switched:0.0} s into the load; {orders} orders in all; " +
                $"{string.Join(" and ", loads.Select(l => $"{l.Requests} requests"))} on new connections to edges A and B, {loads.Sum(l => l.Failures.Count)} failed");
        }
        finally
        {
            foreach (var load in loads)
            {
                await load.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task With_the_ca_unreachable_certificates_keep_serving_the_error_is_logged_and_orders_resume_when_it_returns()
    {
        var pebble = await StartPebbleAsync();
        var edgeA = await StartEdgeAsync(PortA, "a");
        var issuer = StartIssuer(pebble, "two@example.com");
        var first = $"{SwarmServices.UniqueName("acme")}.test";
        await _services.CreateAsync(SwarmServices.UniqueName("acme"), 1, SwarmServices.Labels(80, ("swarmedge.http.host", first), ("swarmedge.http.acme", "true")));
        var root = await pebble.RootAsync();
        await ServedAfterAsync(PortA + 2, first, root, Stopwatch.StartNew());

        await pebble.StopAsync();
        var second = $"{SwarmServices.UniqueName("acme")}.test";
        await _services.CreateAsync(SwarmServices.UniqueName("acme"), 1, SwarmServices.Labels(80, ("swarmedge.http.host", second), ("swarmedge.http.acme", "true")));
        await Eventually.HoldsAsync(() => issuer.Log.Contains($"Order for {second} failed (1 in a row)", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), "the issuer logs the failed order");
        // An edge started while the CA is down serves what the swarm holds.
        var edgeB = await StartEdgeAsync(PortB, "b");
        await ServedAfterAsync(PortB + 2, first, root, Stopwatch.StartNew());
        await ServedAfterAsync(PortA + 2, first, root, Stopwatch.StartNew());
        var failures = issuer.Log.Split('\n').Count(l => l.Contains($"Order for {second} failed", StringComparison.Ordinal));
        // The edges show it: the last error and the failures in a row, from what the issuer stored.
        string? shown = null;
        await Eventually.HoldsAsync(async () =>
        {
            var acme = JsonDocument.Parse(await (await edgeA.GetAdminAsync("api/acme")).Content.ReadAsStringAsync()).RootElement;
            var entry = acme.EnumerateArray().FirstOrDefault(e => e.GetProperty("host").GetString() == second);
            shown = entry.ValueKind == JsonValueKind.Object ? entry.GetProperty("lastError").GetString() : null;
            return shown is not null && await edgeA.MetricAsync($"swarmedge_acme_order_failures{{host=\"{second}\"}}") >= 1;
        }, TimeSpan.FromSeconds(20), "edge A's /api/acme and metrics show the failed order");

        var back = Stopwatch.StartNew();
        await pebble.StartAgainAsync();
        var newRoot = await pebble.RootAsync();
        var recovered = await ServedAfterAsync(PortA + 2, second, newRoot, back, TimeSpan.FromSeconds(90));
        Measurements.Record(output, "ACME, the CA unreachable",
            $"the certificate issued before kept serving on edge A and on edge B started meanwhile; {failures} failed orders for the new host while the CA was down " +
            $"(the edge's /api/acme said: {(shown ?? "")[..Math.Min((shown ?? "").Length, 120)]}...) " +
            $"(waits doubling from 2 s); after the CA came back (a new Pebble: new root, accounts forgotten) the new host was served in {recovered:0.0} s");
        _ = edgeB;
    }

    private async Task<double> ServedAfterAsync(int port, string host, X509Certificate2 root, Stopwatch since, TimeSpan? timeout = null)
    {
        var https = new HttpsClient(new IPEndPoint(IPAddress.Parse(swarm.Sidecar.Address), port), root);
        using var client = https.Client(TimeSpan.FromSeconds(5));
        await Eventually.HoldsAsync(async () =>
        {
            try
            {
                using var response = await client.GetAsync($"https://{host}:{port}/");
                return response.StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, timeout ?? TimeSpan.FromSeconds(60), $"https://{host}:{port}/ answers with a certificate from the CA", TimeSpan.FromMilliseconds(200));
        return since.Elapsed.TotalSeconds;
    }

    private Task<string> ThumbprintAsync(int port, string serverName) => TlsProbe.ThumbprintAsync(swarm.Sidecar.Address, port, serverName);

    private async Task<Pebble> StartPebbleAsync(int validitySeconds = 0)
    {
        var pebble = await Pebble.StartAsync(_gateway, swarm.Sidecar.Address, PortA, validitySeconds);
        _running.Add(pebble);
        return pebble;
    }

    private Dictionary<string, string> AcmeSettings() => new()
    {
        ["SwarmEdge:Acme:StorageKeyFile"] = _keyFile,
        ["SwarmEdge:Acme:IssuerAddress"] = $"http://127.0.0.1:{ChallengePort}",
        ["SwarmEdge:Acme:PollInterval"] = Poll.ToString(),
    };

    private async Task<SwarmEdgeProcess> StartEdgeAsync(int port, string name)
    {
        var settings = AcmeSettings();
        settings["SwarmEdge:Https:Port"] = (port + 2).ToString(CultureInfo.InvariantCulture);
        settings["SwarmEdge:Acme:CertificateCache"] = Path.Combine(_work, "edge-" + name);
        settings["SwarmEdge:Docker:Endpoints:0"] = $"tcp://{_gateway}:{EdgeProxyPort}";
        var edge = await ProductionEdge.StartAsync(swarm, port, settings);
        _running.Add(edge);
        _edgePorts.Add(port);
        return edge;
    }

    private SwarmEdgeProcess StartIssuer(Pebble pebble, string email, double renewWhenLeft = 1.0 / 3, (string Provider, string Resolvers)? dns = null,
        Dictionary<string, string>? environment = null)
    {
        var settings = AcmeSettings();
        settings["SwarmEdge:Networks:0"] = SingleNodeSwarm.Network;
        settings["SwarmEdge:Docker:Endpoints:0"] = $"tcp://{_gateway}:{IssuerProxyPort}";
        settings["SwarmEdge:Routing:DefaultHost"] = "";
        settings["SwarmEdge:Acme:Directory"] = pebble.DirectoryUrl;
        settings["SwarmEdge:Acme:Email"] = email;
        settings["SwarmEdge:Acme:CaCertificates"] = pebble.TlsCaFile;
        settings["SwarmEdge:Acme:ChallengePort"] = ChallengePort.ToString(CultureInfo.InvariantCulture);
        settings["SwarmEdge:Acme:WorkDirectory"] = Path.Combine(_work, "issuer");
        settings["SwarmEdge:Acme:RetryAfter"] = "00:00:02";
        settings["SwarmEdge:Acme:RenewWhenLeft"] = renewWhenLeft.ToString(CultureInfo.InvariantCulture);
        // The edges started so far: the issuer orders once each of them routes the host's challenge to it.
        for (var i = 0; i < _edgePorts.Count; i++)
        {
            settings[$"SwarmEdge:Acme:Edges:{i}"] = $"127.0.0.1:{_edgePorts[i]}";
        }
        if (dns is { } provider)
        {
            settings["SwarmEdge:Acme:DnsProvider"] = provider.Provider;
            settings["SwarmEdge:Acme:DnsResolvers"] = provider.Resolvers;
            // The test's DNS server is not a zone's authoritative server: lego asks it alone.
            settings["SwarmEdge:Acme:DnsPropagationCheck"] = "false";
        }

        var issuer = SwarmEdgeProcess.StartIssuer(swarm.Sidecar, settings, environment);
        _running.Add(issuer);
        return issuer;
    }

    public async Task DisposeAsync()
    {
        foreach (var running in Enumerable.Reverse(_running))
        {
            if (running is SwarmEdgeProcess process && process.Log.Length > 0)
            {
                output.WriteLine(process.Log.Length > 20000 ? process.Log[^20000..] : process.Log);
            }

            await running.DisposeAsync();
        }

        await _services.DisposeAsync();
        var configs = await Shell.RunAsync("docker", ["config", "ls", "--filter", "label=swarmedge.acme", "--format", "{{.Name}}"], check: false);
        foreach (var config in configs.Trimmed.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            await Shell.RunAsync("docker", ["config", "rm", config], check: false);
        }

        foreach (var proxy in new[] { "it-acme-edge-proxy", "it-acme-issuer-proxy" })
        {
            await Shell.RunAsync("docker", ["rm", "-f", proxy], check: false);
        }

        Directory.Delete(_work, recursive: true);
    }
}
