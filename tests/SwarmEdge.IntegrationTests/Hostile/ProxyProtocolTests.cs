using System.Diagnostics;
using System.Globalization;
using System.Net;
using SwarmEdge.IntegrationTests.Lab;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Hostile;

/// <summary>
/// An edge behind a TCP load balancer that sends the PROXY protocol (SwarmEdge:Proxy:ProxyProtocol): Debian's
/// HAProxy in TCP mode, as a cloud balancer would sit in front, sending version 1 and version 2 headers; raw
/// headers for the addresses a balancer could name; and what a client that is not the balancer can make of one.
/// </summary>
[Collection(SingleNodeSwarmCollection.Name)]
public sealed class ProxyProtocolTests(SingleNodeSwarm swarm, ITestOutputHelper output) : IAsyncLifetime
{
    private const int EdgePort = 18460; // admin +1, HTTPS +2
    private const int BalancerV1Port = 18464;
    private const int BalancerV2Port = 18465;
    private const int BalancerTlsPort = 18466;

    private readonly SwarmServices _services = swarm.NewServices();
    private readonly LabCertificates _certificates = new();
    private readonly string _config = Path.Combine(Path.GetTempPath(), $"it-haproxy-{Guid.NewGuid():N}.cfg");
    private SwarmEdgeProcess? _edge;
    private Process? _balancer;

    [Fact]
    public async Task The_client_a_trusted_balancer_names_is_the_client_and_no_one_else_can_name_one()
    {
        // The lab host reaches the edge's sidecar from this address: the balancer runs here, so it is the trusted one.
        var balancer = await swarm.Sidecar.HostAddressAsync();
        _edge = await ProductionEdge.StartAsync(swarm, EdgePort, new()
        {
            ["SwarmEdge:Proxy:TrustedProxies:0"] = balancer,
            ["SwarmEdge:Proxy:ProxyProtocol"] = "true",
            ["SwarmEdge:Https:CertificateDirectory"] = _certificates.Directory,
            ["SwarmEdge:Https:Port"] = (EdgePort + 2).ToString(CultureInfo.InvariantCulture),
        });
        var name = SwarmServices.UniqueName("pp");
        var host = $"{name}.test";
        _certificates.Issue(name, host);
        await _services.CreateAsync(name, 1, SwarmServices.Labels(80,
            ("swarmedge.http.host", host),
            ("swarmedge.http.routers.office.host", $"office.{host}"),
            ("swarmedge.http.routers.office.middlewares", "office"),
            ("swarmedge.middlewares.office.ip-allow.source-range", "127.0.0.1/32")));
        await ProductionEdge.WaitForEndpointsAsync(_edge, name, 1);
        await ProductionEdge.WaitForEndpointsAsync(swarm.Edge, name, 1);
        StartBalancer(_edge.Proxy);

        // Through HAProxy, versions 1 and 2: the client is this test on loopback, and the task is told so.
        var seen = new List<string>();
        foreach (var port in new[] { BalancerV1Port, BalancerV2Port })
        {
            var response = "";
            await Eventually.HoldsAsync(async () =>
                {
                    try
                    {
                        response = await RawHttp.SendAsync("127.0.0.1", port, Get($"office.{host}"), TimeSpan.FromSeconds(5));
                    }
                    catch (System.Net.Sockets.SocketException)
                    {
                        return false; // HAProxy is still starting
                    }

                    return response.StartsWith("HTTP/1.1 ", StringComparison.Ordinal);
                },
                TimeSpan.FromSeconds(20), $"HAProxy on {port} answers");
            Assert.StartsWith("HTTP/1.1 200", response, StringComparison.Ordinal);
            seen.Add(HeaderOf(response, "X-Seen-For"));
        }

        // HTTPS through the balancer in TCP mode: the header comes before the TLS handshake.
        using (var https = new HttpsClient(new IPEndPoint(IPAddress.Loopback, BalancerTlsPort), _certificates.Ca).Client(TimeSpan.FromSeconds(10)))
        {
            using var response = await https.GetAsync($"https://{host}:{BalancerTlsPort}/");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            seen.Add(string.Join(",", response.Headers.GetValues("X-Seen-For")));
        }

        Assert.Equal(["127.0.0.1", "127.0.0.1", "127.0.0.1"], seen);

        // The balancer names another client: that client is refused by the ip-allow the loopback client passed.
        var named = await RawHttp.SendAsync(_edge.Proxy.Host, _edge.Proxy.Port,
            $"PROXY TCP4 203.0.113.7 10.0.0.1 51234 {_edge.Proxy.Port}\r\n" + Get($"office.{host}"), TimeSpan.FromSeconds(5));
        Assert.StartsWith("HTTP/1.1 403", named, StringComparison.Ordinal);
        var namedOther = await RawHttp.SendAsync(_edge.Proxy.Host, _edge.Proxy.Port,
            $"PROXY TCP4 203.0.113.7 10.0.0.1 51234 {_edge.Proxy.Port}\r\n" + Get(host), TimeSpan.FromSeconds(5));
        Assert.Equal("203.0.113.7", HeaderOf(namedOther, "X-Seen-For"));

        // From the balancer's address without a header (a balancer misconfigured, or a request slipped past it):
        // closed unanswered, counted. A forged X-Forwarded-For inside the header-less request changes nothing.
        var refusedBefore = await _edge.MetricAsync("swarmedge_proxy_protocol_refused_total");
        var bare = await RawHttp.SendAsync(_edge.Proxy.Host, _edge.Proxy.Port,
            $"GET / HTTP/1.1\r\nHost: office.{host}\r\nX-Forwarded-For: 127.0.0.1\r\nConnection: close\r\n\r\n", TimeSpan.FromSeconds(5));
        Assert.Equal("", bare);
        Assert.Equal(refusedBefore + 1, await _edge.MetricAsync("swarmedge_proxy_protocol_refused_total"));

        // A header that stops halfway: closed after the request headers timeout, not held open for ever.
        var started = Stopwatch.StartNew();
        var half = await RawHttp.SendAsync(_edge.Proxy.Host, _edge.Proxy.Port, "PROXY TCP4 203.0.113.7 ", TimeSpan.FromSeconds(30));
        var halfClosedAfter = started.Elapsed;
        Assert.Equal("", half);
        Assert.InRange(halfClosedAfter, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(25));

        // An edge that trusts no balancer reads no header: a client naming itself gets 400, and is not believed.
        var forged = await RawHttp.SendAsync(swarm.Edge.Proxy.Host, swarm.Edge.Proxy.Port,
            $"PROXY TCP4 127.0.0.1 10.0.0.1 51234 80\r\n" + Get($"office.{host}"), TimeSpan.FromSeconds(5));
        Assert.StartsWith("HTTP/1.1 400", forged, StringComparison.Ordinal);

        Measurements.Record(output, "PROXY protocol",
            $"through HAProxy send-proxy and send-proxy-v2 (HTTP, and HTTPS with the header before the handshake): 200, the task saw {string.Join(" / ", seen)}; a header naming 203.0.113.7: 403 from ip-allow 127.0.0.1/32 " +
            $"(the task saw {HeaderOf(namedOther, "X-Seen-For")} on another route); no header from the balancer's address: closed unanswered; half a header: closed after " +
            $"{halfClosedAfter.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s; a header from a client of an edge that trusts none: {forged.Split("\r\n")[0]}");
    }

    private static string Get(string host) => $"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n";

    private static string HeaderOf(string response, string name) =>
        response.Split("\r\n").FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))?[(name.Length + 1)..].Trim() ?? "";

    /// <summary>HAProxy in TCP mode, as a cloud load balancer: one frontend sending version 1, one sending version 2.</summary>
    private void StartBalancer(Uri edge)
    {
        File.WriteAllText(_config, $"""
            global
              log stderr format raw local0 warning
            defaults
              mode tcp
              timeout connect 5s
              timeout client 30s
              timeout server 30s
            listen v1
              bind 127.0.0.1:{BalancerV1Port}
              server edge {edge.Host}:{edge.Port} send-proxy
            listen v2
              bind 127.0.0.1:{BalancerV2Port}
              server edge {edge.Host}:{edge.Port} send-proxy-v2
            listen v2tls
              bind 127.0.0.1:{BalancerTlsPort}
              server edge {edge.Host}:{edge.Port + 2} send-proxy-v2

            """);
        _balancer = Process.Start(new ProcessStartInfo("haproxy", ["-db", "-f", _config]) { RedirectStandardError = true, RedirectStandardOutput = true })
            ?? throw new InvalidOperationException("haproxy did not start");
        _balancer.OutputDataReceived += (_, e) => { if (e.Data is not null) output.WriteLine($"haproxy: {e.Data}"); };
        _balancer.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.WriteLine($"haproxy: {e.Data}"); };
        _balancer.BeginOutputReadLine();
        _balancer.BeginErrorReadLine();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_balancer is { HasExited: false })
        {
            _balancer.Kill();
            await _balancer.WaitForExitAsync();
        }

        _balancer?.Dispose();
        File.Delete(_config);
        _certificates.Dispose();
        if (_edge is not null)
        {
            await _edge.DisposeAsync();
        }

        await _services.DisposeAsync();
    }
}
