using System.Globalization;
using System.Net;
using System.Text;
using SwarmEdge.IntegrationTests.Hostile;
using SwarmEdge.IntegrationTests.Lab;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Middlewares;

/// <summary>
/// Middlewares declared by labels on the real swarm, through the real binary to real tasks (the lab's whoami
/// answers with the URI it saw and echoes the headers the tests change as X-Seen-* response headers).
/// </summary>
[Collection(SingleNodeSwarmCollection.Name)]
public sealed class MiddlewareTests(SingleNodeSwarm swarm, ITestOutputHelper output) : IAsyncLifetime
{
    private const int TrustingPort = 18440; // proxy; admin +1
    private const string Namespace = "com.docker.stack.namespace";
    private readonly SwarmServices _services = swarm.NewServices();
    private readonly string _usersFile = $"/run/secrets/it-users-{Guid.NewGuid().ToString("N")[..8]}";
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };
    private SwarmEdgeProcess? _trusting;

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_chain_of_middlewares_declared_by_labels_is_applied_in_order_and_a_broken_label_keeps_the_last_good_chain()
    {
        Directory.CreateDirectory("/run/secrets");
        await File.WriteAllTextAsync(_usersFile, $"alice:{BCrypt.Net.BCrypt.HashPassword("s3cret", 10)}\n");
        var stack = SwarmServices.UniqueName("mw");
        var name = $"{stack}_web";
        var host = $"{stack}.test";
        // The client's address as the edge sees it: the lab host, the sidecar's gateway.
        var client = await swarm.Sidecar.HostAddressAsync();
        await _services.CreateAsync(name, 2, SwarmServices.Labels(80,
            (Namespace, stack),
            ("swarmedge.http.host", host),
            ("swarmedge.http.middlewares", "sec,api,v2"),
            ("swarmedge.middlewares.sec.headers.request.set.X-Team", "shop"),
            ("swarmedge.middlewares.sec.headers.request.remove", "X-Debug"),
            ("swarmedge.middlewares.sec.headers.response.set.X-Frame-Options", "DENY"),
            ("swarmedge.middlewares.sec.headers.response.remove", "X-Seen-Proto"),
            ("swarmedge.middlewares.api.strip-prefix.prefixes", "/api,/v1"),
            ("swarmedge.middlewares.v2.add-prefix.prefix", "/v2"),
            ("swarmedge.http.routers.old.host", $"old.{host}"),
            ("swarmedge.http.routers.old.middlewares", "old"),
            ("swarmedge.middlewares.old.redirect-regex.regex", $"^http://old\\.{stack.Replace("-", "\\-")}\\.test(:[0-9]+)?/(.*)"),
            ("swarmedge.middlewares.old.redirect-regex.replacement", $"https://{host}/$2"),
            ("swarmedge.http.routers.office.host", $"office.{host}"),
            ("swarmedge.http.routers.office.middlewares", "office"),
            ("swarmedge.middlewares.office.ip-allow.source-range", "10.99.0.0/16"),
            ("swarmedge.http.routers.lab.host", $"lab.{host}"),
            ("swarmedge.http.routers.lab.middlewares", "lab,users"),
            ("swarmedge.middlewares.lab.ip-allow.source-range", $"10.99.0.0/16,{client}"),
            ("swarmedge.middlewares.users.replace-path-regex.regex", "^/u/([0-9]+)$"),
            ("swarmedge.middlewares.users.replace-path-regex.replacement", "/users/$1"),
            ("swarmedge.http.routers.admin.host", $"admin.{host}"),
            ("swarmedge.http.routers.admin.middlewares", "lab,admin"),
            ("swarmedge.middlewares.admin.basic-auth.users-file", _usersFile),
            ("swarmedge.middlewares.admin.basic-auth.remove-header", "true")));
        // Another stack names this stack's middlewares: its route is not served, and says why.
        var intruder = SwarmServices.UniqueName("mw-intruder");
        await _services.CreateAsync(intruder, 1, SwarmServices.Labels(80, (Namespace, intruder), ("swarmedge.http.host", $"{intruder}.test"), ("swarmedge.http.middlewares", "admin")));
        await ProductionEdge.WaitForEndpointsAsync(swarm.Edge, name, 2);

        // headers, strip-prefix then add-prefix: in the chain's order.
        using var response = await SendAsync(swarm.Edge.Proxy, host, "/api/items?x=1", ("X-Debug", "1"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.EndsWith(" /v2/items?x=1", (await response.Content.ReadAsStringAsync()).Trim(), StringComparison.Ordinal);
        Assert.Equal("shop", Header(response, "X-Seen-Team"));
        Assert.Null(Header(response, "X-Seen-Debug"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Null(Header(response, "X-Seen-Proto"));

        using (var redirect = await SendAsync(swarm.Edge.Proxy, $"old.{host}", "/a/b?c=d"))
        {
            Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
            Assert.Equal($"https://{host}/a/b?c=d", redirect.Headers.Location?.ToString());
        }

        using (var office = await SendAsync(swarm.Edge.Proxy, $"office.{host}", "/"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, office.StatusCode);
        }

        using (var lab = await SendAsync(swarm.Edge.Proxy, $"lab.{host}", "/u/42"))
        {
            Assert.Equal(HttpStatusCode.OK, lab.StatusCode);
            Assert.EndsWith(" /users/42", (await lab.Content.ReadAsStringAsync()).Trim(), StringComparison.Ordinal);
        }

        await AssertAdminNeedsAliceAsync(swarm.Edge.Proxy, $"admin.{host}");
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(swarm.Edge.Proxy, $"{intruder}.test", "/")).StatusCode);
        var intruderStatus = await swarm.Edge.ServiceAsync(intruder);
        Assert.Contains(intruderStatus!.Value.GetProperty("errors").EnumerateArray(), e => e.GetString()!.Contains("middleware 'admin' is not declared by any service of stack", StringComparison.Ordinal));

        // A broken declaration: the service keeps its last good routing, chain and all (the password is still asked for).
        await _services.UpdateAsync(name, "--label-add", "swarmedge.middlewares.admin.basic-auth.users-file=/etc/passwd");
        await Eventually.HoldsAsync(async () => (await swarm.Edge.ServiceAsync(name))?.GetProperty("usesLastGoodRouting").GetBoolean() == true,
            TimeSpan.FromSeconds(20), $"{name} serves its last good routing");
        await AssertAdminNeedsAliceAsync(swarm.Edge.Proxy, $"admin.{host}");
    }

    [Fact]
    public async Task Rate_limits_compression_and_cors_are_served_by_the_edge_for_the_routes_that_name_them()
    {
        var name = SwarmServices.UniqueName("mw-rate");
        var host = $"{name}.test";
        await _services.CreateAsync(name, 2, SwarmServices.Labels(80,
            (Namespace, name),
            ("swarmedge.http.host", host),
            ("swarmedge.http.middlewares", "per-client"),
            ("swarmedge.middlewares.per-client.rate-limit.rate", "1/m"),
            ("swarmedge.middlewares.per-client.rate-limit.burst", "3"),
            ("swarmedge.http.routers.keys.host", $"keys.{host}"),
            ("swarmedge.http.routers.keys.middlewares", "per-key"),
            ("swarmedge.middlewares.per-key.rate-limit.rate", "1/m"),
            ("swarmedge.middlewares.per-key.rate-limit.burst", "2"),
            ("swarmedge.middlewares.per-key.rate-limit.header", "X-Api-Key"),
            ("swarmedge.http.routers.gz.host", $"gz.{host}"),
            ("swarmedge.http.routers.gz.middlewares", "gz"),
            ("swarmedge.middlewares.gz.compress", "true"),
            ("swarmedge.http.routers.web.host", $"web.{host}"),
            ("swarmedge.http.routers.web.middlewares", "web"),
            ("swarmedge.middlewares.web.cors.allow-origins", "https://app.test,https://*.shop.test"),
            ("swarmedge.middlewares.web.cors.allow-methods", "GET,PUT"),
            ("swarmedge.middlewares.web.cors.allow-headers", "X-Token"),
            ("swarmedge.middlewares.web.cors.max-age", "10m")));
        await ProductionEdge.WaitForEndpointsAsync(swarm.Edge, name, 2);

        // Per client: the burst, then 429 with Retry-After. A client naming another address in X-Forwarded-For is
        // still itself (this edge trusts no proxy), so it cannot buy a fresh bucket.
        var statuses = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            using var allowed = await SendAsync(swarm.Edge.Proxy, host, "/");
            statuses.Add((int)allowed.StatusCode);
        }

        using var limited = await SendAsync(swarm.Edge.Proxy, host, "/");
        using var spoofed = await SendAsync(swarm.Edge.Proxy, host, "/", ("X-Forwarded-For", "198.51.100.77"));
        Assert.Equal([200, 200, 200], statuses);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.InRange(int.Parse(Header(limited, "Retry-After")!, CultureInfo.InvariantCulture), 1, 60);
        Assert.Equal(HttpStatusCode.TooManyRequests, spoofed.StatusCode);

        // Per header value: each key has its own bucket, one key spent leaves the others alone.
        var keyA = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await SendAsync(swarm.Edge.Proxy, $"keys.{host}", "/", ("X-Api-Key", "team-a"));
            keyA.Add((int)response.StatusCode);
        }

        using var keyB = await SendAsync(swarm.Edge.Proxy, $"keys.{host}", "/", ("X-Api-Key", "team-b"));
        Assert.Equal([200, 200, 429], keyA);
        Assert.Equal(HttpStatusCode.OK, keyB.StatusCode);

        // Compression: gzip when the client accepts it (the task sends plain text), plain otherwise.
        using (var zipped = await SendAsync(swarm.Edge.Proxy, $"gz.{host}", "/page", ("Accept-Encoding", "gzip")))
        {
            Assert.Equal(HttpStatusCode.OK, zipped.StatusCode);
            Assert.Equal(["gzip"], zipped.Content.Headers.ContentEncoding);
            await using var gzip = new System.IO.Compression.GZipStream(await zipped.Content.ReadAsStreamAsync(), System.IO.Compression.CompressionMode.Decompress);
            using var reader = new StreamReader(gzip);
            Assert.EndsWith(" /page", (await reader.ReadToEndAsync()).Trim(), StringComparison.Ordinal);
        }

        using (var plain = await SendAsync(swarm.Edge.Proxy, $"gz.{host}", "/page"))
        {
            Assert.Empty(plain.Content.Headers.ContentEncoding);
            Assert.EndsWith(" /page", (await plain.Content.ReadAsStringAsync()).Trim(), StringComparison.Ordinal);
        }

        // CORS: the edge answers an allowed origin's preflight itself; another origin's gets no Access-Control-* at all.
        using (var preflight = await SendAsync(swarm.Edge.Proxy, $"web.{host}", "/api", HttpMethod.Options,
            ("Origin", "https://app.test"), ("Access-Control-Request-Method", "PUT"), ("Access-Control-Request-Headers", "X-Token")))
        {
            Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
            Assert.Equal("https://app.test", Header(preflight, "Access-Control-Allow-Origin"));
            Assert.Contains("PUT", Header(preflight, "Access-Control-Allow-Methods"), StringComparison.Ordinal);
            Assert.Equal("600", Header(preflight, "Access-Control-Max-Age"));
        }

        using (var subdomain = await SendAsync(swarm.Edge.Proxy, $"web.{host}", "/api", ("Origin", "https://cart.shop.test")))
        {
            Assert.Equal(HttpStatusCode.OK, subdomain.StatusCode);
            Assert.Equal("https://cart.shop.test", Header(subdomain, "Access-Control-Allow-Origin"));
        }

        using (var evil = await SendAsync(swarm.Edge.Proxy, $"web.{host}", "/api", HttpMethod.Options,
            ("Origin", "https://evil.test"), ("Access-Control-Request-Method", "PUT")))
        {
            Assert.Null(Header(evil, "Access-Control-Allow-Origin"));
            Assert.Null(Header(evil, "Access-Control-Allow-Methods"));
        }

        using (var lookalike = await SendAsync(swarm.Edge.Proxy, $"web.{host}", "/api", ("Origin", "https://app.test.evil.test")))
        {
            Assert.Equal(HttpStatusCode.OK, lookalike.StatusCode);
            Assert.Null(Header(lookalike, "Access-Control-Allow-Origin"));
        }

        Measurements.Record(output, "rate-limit, compress, cors",
            $"1/m burst 3 per client: {string.Join(",", statuses)}, then 429 (Retry-After {Header(limited, "Retry-After")} s), also with a forged X-Forwarded-For; " +
            "per X-Api-Key burst 2: 200,200,429 for one key while another got 200; gzip when accepted; CORS preflight 204 for an allowed origin, none for others");
    }

    [Fact]
    public async Task Forward_auth_asks_an_auth_service_of_the_swarm_and_fails_closed_while_it_has_no_task()
    {
        // The auth service is a service of its own, routed too (as Authelia's login portal is).
        var auth = SwarmServices.UniqueName("mw-auth");
        await _services.CreateAsync(auth, 1, SwarmServices.Labels(80, ("swarmedge.http.host", $"{auth}.test")));
        var name = SwarmServices.UniqueName("mw-sso");
        var host = $"{name}.test";
        await _services.CreateAsync(name, 1, SwarmServices.Labels(80, ("swarmedge.http.host", host), ("swarmedge.http.middlewares", "sso"),
            ("swarmedge.middlewares.sso.forward-auth.address", $"http://{auth}/auth"),
            ("swarmedge.middlewares.sso.forward-auth.auth-response-headers", "Remote-User")));
        await ProductionEdge.WaitForEndpointsAsync(swarm.Edge, auth, 1);
        await ProductionEdge.WaitForEndpointsAsync(swarm.Edge, name, 1);

        // Let in with the identity the auth service gave, never the one the client brought.
        using var allowed = await SendAsync(swarm.Edge.Proxy, host, "/private?x=1", ("X-Token", "letmein"), ("Remote-User", "root"));
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.EndsWith(" /private?x=1", (await allowed.Content.ReadAsStringAsync()).Trim(), StringComparison.Ordinal);
        Assert.Equal("alice", Header(allowed, "X-Seen-User"));

        // Refused: the client gets the auth service's answer (its login redirect, built from what the edge told it).
        using var refused = await SendAsync(swarm.Edge.Proxy, host, "/private?x=1", ("Remote-User", "root"), ("X-Forwarded-Host", "evil.test"));
        Assert.Equal(HttpStatusCode.Found, refused.StatusCode);
        Assert.Equal($"https://login.test/?rd={host}/private?x=1", refused.Headers.Location?.ToString());
        Assert.DoesNotContain(" /private", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // No auth task: nobody gets in (503), and everyone with a token again once it is back. (The departing task
        // answers until it has stopped, as it does for the edge's own requests: the edge asks it as long as it is there.)
        await _services.ScaleAsync(auth, 0);
        await ProductionEdge.WaitForEndpointsAsync(swarm.Edge, auth, 0);
        var started = DateTime.UtcNow;
        await Eventually.HoldsAsync(async () =>
        {
            using var down = await SendAsync(swarm.Edge.Proxy, host, "/private", ("X-Token", "letmein"));
            return down.StatusCode == HttpStatusCode.ServiceUnavailable;
        }, TimeSpan.FromSeconds(30), "the route answers 503 while its auth service has no task");
        var failClosed = DateTime.UtcNow - started;
        await _services.ScaleAsync(auth, 1);
        await Eventually.HoldsAsync(async () =>
        {
            using var back = await SendAsync(swarm.Edge.Proxy, host, "/private", ("X-Token", "letmein"));
            return back.StatusCode == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(60), "the route lets the token in again once the auth service has a task");
        Measurements.Record(output, "forward-auth",
            $"token: 200 as alice (the client's Remote-User: root replaced); no token: 302 to the login page; auth service at 0 tasks: 503 ({failClosed.TotalSeconds:0.0} s after the edge saw it go), 200 again after it came back");
    }

    [Fact]
    public async Task X_forwarded_for_is_believed_only_from_a_trusted_proxy_and_only_up_to_the_first_address_that_is_not_one()
    {
        var client = await swarm.Sidecar.HostAddressAsync();
        _trusting = await ProductionEdge.StartAsync(swarm, TrustingPort, new()
        {
            ["SwarmEdge:Proxy:TrustedProxies:0"] = client,
            ["SwarmEdge:Proxy:ForwardedHeader"] = "true",
        });
        var name = SwarmServices.UniqueName("mw-xff");
        var host = $"{name}.test";
        await _services.CreateAsync(name, 1, SwarmServices.Labels(80, ("swarmedge.http.host", host), ("swarmedge.http.middlewares", "customers"),
            ("swarmedge.middlewares.customers.ip-allow.source-range", "203.0.113.0/24")));
        await ProductionEdge.WaitForEndpointsAsync(_trusting, name, 1);
        await ProductionEdge.WaitForEndpointsAsync(swarm.Edge, name, 1);

        // Behind a trusted load balancer: the client it names is the client, and the task is told so, in
        // X-Forwarded-For and (SwarmEdge:Proxy:ForwardedHeader) in RFC 7239's Forwarded, whatever the client put there.
        using var believed = await SendAsync(_trusting.Proxy, host, "/", ("X-Forwarded-For", "203.0.113.7"), ("Forwarded", "for=198.51.100.66"));
        Assert.Equal(HttpStatusCode.OK, believed.StatusCode);
        Assert.Equal("203.0.113.7", Header(believed, "X-Seen-For"));
        Assert.Equal($"proto=http;host=\"{host}\";for=203.0.113.7", Header(believed, "X-Seen-Forwarded"));
        Assert.Equal(host, Header(believed, "X-Seen-Host"));
        // An address the client itself put first, before one the balancer added: the balancer's word counts.
        using var appended = await SendAsync(_trusting.Proxy, host, "/", ("X-Forwarded-For", "203.0.113.7, 198.51.100.1"));
        Assert.Equal(HttpStatusCode.Forbidden, appended.StatusCode);
        // An edge that trusts no proxy believes no client's header, and tells the task the real peer.
        using var spoofed = await SendAsync(swarm.Edge.Proxy, host, "/", ("X-Forwarded-For", "203.0.113.7"));
        Assert.Equal(HttpStatusCode.Forbidden, spoofed.StatusCode);
        // An edge that sends no Forwarded header passes on none of the client's.
        var other = SwarmServices.UniqueName("mw-fwd");
        await _services.CreateAsync(other, 1, SwarmServices.Labels(80, ("swarmedge.http.host", $"{other}.test")));
        await ProductionEdge.WaitForEndpointsAsync(swarm.Edge, other, 1);
        using var forwarded = await SendAsync(swarm.Edge.Proxy, $"{other}.test", "/", ("Forwarded", "for=203.0.113.7;proto=https"));
        Assert.Equal(HttpStatusCode.OK, forwarded.StatusCode);
        Assert.Null(Header(forwarded, "X-Seen-Forwarded"));
        Measurements.Record(output, "trusted proxies (X-Forwarded-For)",
            $"from a trusted peer: 203.0.113.7 believed (200, the task saw {Header(believed, "X-Seen-For")}); '203.0.113.7, 198.51.100.1': 403; " +
            $"from an untrusted peer: 403; Forwarded sent by the edge: {Header(believed, "X-Seen-Forwarded")}; a client's Forwarded without it: removed");
    }

    private async Task AssertAdminNeedsAliceAsync(Uri proxy, string host)
    {
        using var none = await SendAsync(proxy, host, "/");
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("Basic realm=\"SwarmEdge\", charset=\"UTF-8\"", none.Headers.WwwAuthenticate.ToString());
        using var wrong = await SendAsync(proxy, host, "/", ("Authorization", Basic("alice:guess")));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        using var right = await SendAsync(proxy, host, "/", ("Authorization", Basic("alice:s3cret")));
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Null(Header(right, "X-Seen-Authorization"));
    }

    private static string Basic(string credentials) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials));

    private Task<HttpResponseMessage> SendAsync(Uri proxy, string host, string path, params (string Name, string Value)[] headers) =>
        SendAsync(proxy, host, path, HttpMethod.Get, headers);

    private async Task<HttpResponseMessage> SendAsync(Uri proxy, string host, string path, HttpMethod method, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, new Uri(proxy, path));
        request.Headers.Host = host;
        foreach (var (header, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        return await _http.SendAsync(request);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(",", values) : null;

    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_trusting is not null)
        {
            await _trusting.DisposeAsync();
        }

        await _services.DisposeAsync();
        File.Delete(_usersFile);
    }
}
