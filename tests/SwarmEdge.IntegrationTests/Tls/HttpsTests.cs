using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using SwarmEdge.IntegrationTests.Hostile;
using SwarmEdge.IntegrationTests.Lab;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Tls;

/// <summary>
/// The HTTPS entrypoint of the real binary on the lab swarm, against real TLS clients: openssl s_client, curl
/// and .NET's HttpClient (HTTP/1.1 and HTTP/2), with certificates from a lab CA in a watched directory.
/// </summary>
[Collection(SingleNodeSwarmCollection.Name)]
public sealed class HttpsTests(SingleNodeSwarm swarm, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Port = 18396; // proxy; admin +1, HTTPS +2
    private readonly SwarmServices _services = swarm.NewServices();
    private readonly LabCertificates _certificates = new();

    private int HttpsPort => Port + 2;

    private Task<SwarmEdgeProcess> StartEdgeAsync(int port, string defaultCertificate) =>
        ProductionEdge.StartAsync(swarm, port, new()
        {
            ["SwarmEdge:Https:CertificateDirectory"] = _certificates.Directory,
            ["SwarmEdge:Https:Port"] = (port + 2).ToString(),
            ["SwarmEdge:Https:DefaultCertificate"] = defaultCertificate,
        });

    [Fact]
    public async Task Sni_picks_the_certificate_tls_below_1_2_is_refused_and_alpn_negotiates_h2()
    {
        var shop = _certificates.Issue("shop", "shop.test");
        var blog = _certificates.Issue("blog", "blog.test");
        var apps = _certificates.Issue("apps", "*.apps.test");
        await using var edge = await StartEdgeAsync(Port, defaultCertificate: "shop");
        var name = SwarmServices.UniqueName("tls");
        await _services.CreateAsync(name, 2, SwarmServices.Labels(80, ("swarmedge.http.host", "shop.test,blog.test,x.apps.test")));
        await ProductionEdge.WaitForEndpointsAsync(edge, name, 2);

        Assert.Equal(shop, await ThumbprintAsync(HttpsPort, "shop.test"));
        Assert.Equal(blog, await ThumbprintAsync(HttpsPort, "blog.test"));
        Assert.Equal(apps, await ThumbprintAsync(HttpsPort, "x.apps.test"));
        Assert.Equal(shop, await ThumbprintAsync(HttpsPort, "unknown.test")); // the default
        Assert.Equal(shop, await ThumbprintAsync(HttpsPort, "a.b.apps.test")); // a wildcard covers one label

        // openssl: the protocols and ALPN a real client negotiates.
        var h2 = await OpensslAsync(HttpsPort, "blog.test", "-alpn", "h2,http/1.1");
        // The connection summary, not the session block: with TLS 1.3, s_client may print that one before the
        // server's session ticket arrives, or not at all when its stdin closes first.
        Assert.Contains("ALPN protocol: h2", h2);
        Assert.Contains("New, TLSv1.3, Cipher is", h2);
        Assert.Contains("New, TLSv1.2, Cipher is", await OpensslAsync(HttpsPort, "blog.test", "-tls1_2"));
        foreach (var old in new[] { "-tls1", "-tls1_1" })
        {
            var refused = await OpensslAsync(HttpsPort, "blog.test", old, "-cipher", "DEFAULT@SECLEVEL=0");
            Assert.DoesNotContain("BEGIN CERTIFICATE", refused);
            Assert.Contains("alert", refused);
        }

        // HttpClient over HTTP/2 and HTTP/1.1, and curl over HTTP/2, through the edge to a task.
        var tasks = (await _services.RunningTasksAsync(name)).Select(t => t.Id).ToHashSet();
        foreach (var version in new[] { HttpVersion.Version20, HttpVersion.Version11 })
        {
            using var client = Https(version).Client(TimeSpan.FromSeconds(10));
            using var response = await client.GetAsync($"https://blog.test:{HttpsPort}/hello");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(version, response.Version);
            Assert.Contains(LoadGenerator.TaskIdOf(await response.Content.ReadAsStringAsync()), tasks);
            Assert.Equal("https", response.Headers.GetValues("X-Seen-Proto").Single());
        }

        var curl = await Shell.RunAsync("curl", ["-s", "--http2", "--cacert", _certificates.CaFile, "--resolve", $"x.apps.test:{HttpsPort}:{swarm.Sidecar.Address}",
            "-o", "/dev/null", "-w", "%{http_version} %{http_code}", $"https://x.apps.test:{HttpsPort}/"]);
        Assert.Equal("2 200", curl.Trimmed);

        // Without a default certificate, names no certificate covers are refused.
        await using var strict = await StartEdgeAsync(Port + 4, defaultCertificate: "");
        var unknown = await Record.ExceptionAsync(() => ThumbprintAsync(Port + 6, "unknown.test"));
        Assert.True(unknown is IOException or AuthenticationException, $"expected the handshake to be refused, got {unknown}");
        Assert.Equal(shop, await ThumbprintAsync(Port + 6, "shop.test"));
        Assert.True(await strict.MetricAsync("swarmedge_tls_refused_total") >= 1);

        var certificates = await (await edge.GetAdminAsync("api/certificates")).Content.ReadAsStringAsync();
        Assert.Contains("\"hosts\":[\"*.apps.test\"]", certificates);
        Assert.True(await edge.MetricAsync("swarmedge_certificate_expiry_days{certificate=\"shop\"}") >= 29);
        Measurements.Record(output, "HTTPS", "SNI: shop.test, blog.test, *.apps.test and the default each presented their certificate; " +
                                             "TLS 1.0 and 1.1 refused; ALPN h2; HTTP/2 and HTTP/1.1 through the edge; unknown names refused without a default");
    }

    [Fact]
    public async Task A_certificate_replaced_under_load_costs_no_request_or_handshake_and_serves_within_a_second()
    {
        _certificates.Issue("shop", "shop.test");
        await using var edge = await StartEdgeAsync(Port + 8, defaultCertificate: "");
        var name = SwarmServices.UniqueName("rot");
        await _services.CreateAsync(name, 2, SwarmServices.Labels(80, ("swarmedge.http.host", "shop.test")));
        await ProductionEdge.WaitForEndpointsAsync(edge, name, 2);
        var port = Port + 10;
        var https = Https(HttpVersion.Version11, port);
        var url = new Uri($"https://shop.test:{port}/");

        await using var keepAlive = new LoadGenerator(url, "shop.test", 12, https: https).Start();
        await using var fresh = new LoadGenerator(url, "shop.test", 4, https: https, closeEach: true).Start();
        await keepAlive.WaitForRequestsAsync(500, TimeSpan.FromSeconds(30));
        await fresh.WaitForRequestsAsync(100, TimeSpan.FromSeconds(30));

        var seen = new List<double>();
        for (var round = 0; round < 3; round++)
        {
            var replacedAt = Stopwatch.StartNew();
            var next = _certificates.Issue("shop", "shop.test");
            await Eventually.HoldsAsync(async () => await ThumbprintAsync(port, "shop.test") == next,
                TimeSpan.FromSeconds(5), $"round {round}: new handshakes present the new certificate", TimeSpan.FromMilliseconds(20));
            seen.Add(replacedAt.Elapsed.TotalSeconds);
            // Load between the replacements: new connections, each a handshake, on the new certificate.
            await fresh.WaitForRequestsAsync(fresh.Requests + 100, TimeSpan.FromSeconds(30));
        }

        await keepAlive.StopAsync();
        await fresh.StopAsync();
        Measurements.Record(output, "certificate rotation under HTTPS load",
            $"3 replacements; new handshakes presented the new certificate after {string.Join(", ", seen.Select(s => s.ToString("0.00")))} s; " +
            $"{keepAlive.Requests} keep-alive requests, {fresh.Requests} requests on new connections (a handshake each), " +
            $"{keepAlive.Failures.Count + fresh.Failures.Count} failed");
        Assert.Empty(keepAlive.Failures);
        Assert.Empty(fresh.Failures);
        Assert.All(seen, s => Assert.True(s <= 1.0, $"the new certificate served after {s:0.00} s"));
    }

    [Fact]
    public async Task Routes_redirect_to_https_serve_one_scheme_only_and_send_hsts_by_label()
    {
        _certificates.Issue("shop", "shop.test", "old.test", "both.test");
        await using var edge = await StartEdgeAsync(Port + 12, defaultCertificate: "shop");
        var name = SwarmServices.UniqueName("redir");
        await _services.CreateAsync(name, 1, SwarmServices.Labels(80,
            ("swarmedge.http.host", "shop.test"), ("swarmedge.http.scheme", "https"), ("swarmedge.http.https-redirect", "true"),
            ("swarmedge.http.hsts", "8760h"),
            ("swarmedge.http.routers.legacy.host", "old.test"), ("swarmedge.http.routers.legacy.scheme", "http"),
            ("swarmedge.http.routers.both.host", "both.test")));
        await ProductionEdge.WaitForEndpointsAsync(edge, name, 1);
        var plain = new Uri($"http://{swarm.Sidecar.Address}:{Port + 12}/");
        var https = Https(HttpVersion.Version11, Port + 14).Client(TimeSpan.FromSeconds(10));
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(10) };

        async Task<HttpResponseMessage> PlainAsync(HttpMethod method, string host)
        {
            using var request = new HttpRequestMessage(method, new Uri(plain, "/cart?id=7")) { Content = method == HttpMethod.Post ? new StringContent("x") : null };
            request.Headers.Host = host;
            return await http.SendAsync(request);
        }

        var get = await PlainAsync(HttpMethod.Get, "shop.test");
        Assert.Equal(HttpStatusCode.MovedPermanently, get.StatusCode);
        Assert.Equal("https://shop.test/cart?id=7", get.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.PermanentRedirect, (await PlainAsync(HttpMethod.Post, "shop.test")).StatusCode);

        var secure = await https.GetAsync($"https://shop.test:{Port + 14}/");
        Assert.Equal(HttpStatusCode.OK, secure.StatusCode);
        Assert.Equal("max-age=31536000", secure.Headers.GetValues("Strict-Transport-Security").Single());

        Assert.Equal(HttpStatusCode.OK, (await PlainAsync(HttpMethod.Get, "old.test")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await https.GetAsync($"https://old.test:{Port + 14}/")).StatusCode);

        var both = await PlainAsync(HttpMethod.Get, "both.test");
        Assert.Equal(HttpStatusCode.OK, both.StatusCode);
        Assert.Equal("http", both.Headers.GetValues("X-Seen-Proto").Single());
        var bothSecure = await https.GetAsync($"https://both.test:{Port + 14}/");
        Assert.Equal("https", bothSecure.Headers.GetValues("X-Seen-Proto").Single());
        Assert.False(bothSecure.Headers.Contains("Strict-Transport-Security"));
    }

    private HttpsClient Https(Version version, int? port = null) =>
        new(new IPEndPoint(IPAddress.Parse(swarm.Sidecar.Address), port ?? HttpsPort), _certificates.Ca, version);

    /// <summary>The thumbprint of the certificate a new TLS handshake for this name gets.</summary>
    private Task<string> ThumbprintAsync(int port, string serverName) => TlsProbe.ThumbprintAsync(swarm.Sidecar.Address, port, serverName);

    private async Task<string> OpensslAsync(int port, string serverName, params string[] options)
    {
        var result = await Shell.RunAsync("sh", ["-c",
            $"echo | timeout 10 openssl s_client -connect {swarm.Sidecar.Address}:{port} -servername {serverName} {string.Join(' ', options)} 2>&1"], check: false);
        return result.Output;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        _certificates.Dispose();
    }
}
