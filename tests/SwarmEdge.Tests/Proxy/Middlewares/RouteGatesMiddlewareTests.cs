using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SwarmEdge;
using SwarmEdge.Catalog;
using SwarmEdge.Proxy.Middlewares;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace SwarmEdge.Tests.Proxy.Middlewares;

/// <summary>The gates with DefaultHttpContext and a hand-built route whose metadata carries them, as ProxyConfigBuilder writes it.</summary>
public sealed class RouteGatesMiddlewareTests(AuthService auth) : IDisposable, IClassFixture<AuthService>
{
    private readonly string _users = Path.Combine(Path.GetTempPath(), "swarmedge-users-" + Guid.NewGuid().ToString("N"));
    private readonly HtpasswdFiles _files = new(TimeProvider.System, NullLogger<HtpasswdFiles>.Instance);
    private readonly ForwardAuthClient _forwardAuth = new(Options.Create(new SwarmEdgeOptions { Dns = { Server = "" } }), NullLogger<ForwardAuthClient>.Instance, TimeProvider.System);
    private Gates? _gates;

    private Gates GatesOf => _gates ??= new Gates(_files, _forwardAuth, new ServiceCollection().AddLogging().BuildServiceProvider(), NullLoggerFactory.Instance);

    private RouteGatesMiddleware Middleware(RequestDelegate forward) => new(forward, GatesOf, NullLogger<RouteGatesMiddleware>.Instance);

    private static RouteConfig Route(params Middleware[] gates) => new()
    {
        RouteId = "shop/default",
        Match = new RouteMatch { Path = "/{**all}" },
        Metadata = new Dictionary<string, string> { [RouteGatesMiddleware.GatesKey] = RouteGatesMiddleware.Serialize(gates) },
    };

    private async Task<(HttpContext Context, bool Forwarded)> RunAsync(RouteConfig route, Action<HttpContext>? request = null, RouteGatesMiddleware? middleware = null,
        Func<HttpContext, Task>? forward = null)
    {
        var forwarded = false;
        middleware ??= Middleware(async c => { forwarded = true; if (forward is not null) await forward(c); });
        var context = new DefaultHttpContext();
        context.Request.Scheme = "http";
        context.Request.Method = "GET";
        context.Request.Host = new HostString("old.test");
        context.Request.Path = "/cart/7";
        context.Request.QueryString = new QueryString("?x=1");
        context.Connection.RemoteIpAddress = IPAddress.Parse("10.1.2.3");
        request?.Invoke(context);
        var cluster = new ClusterState("shop");
        context.Features.Set<IReverseProxyFeature>(new ReverseProxyFeature { Route = new RouteModel(route, cluster, HttpTransformer.Default), Cluster = cluster.Model });
        await middleware.InvokeAsync(context);
        return (context, forwarded);
    }

    [Theory]
    [InlineData("10.1.2.3", true)]
    [InlineData("::ffff:10.1.2.3", true)]
    [InlineData("10.2.0.1", false)]
    [InlineData("fd00::1", true)]
    [InlineData("fe80::1", false)]
    public async Task Ip_allow_lets_in_the_ranges_only(string client, bool allowed)
    {
        var (context, forwarded) = await RunAsync(Route(new IpAllowMiddleware("office", ["10.1.0.0/16", "fd00::/8"])),
            c => c.Connection.RemoteIpAddress = IPAddress.Parse(client));

        Assert.Equal(allowed, forwarded);
        Assert.Equal(allowed ? 200 : 403, context.Response.StatusCode);
    }

    [Fact]
    public async Task Basic_auth_checks_bcrypt_entries_and_challenges_otherwise()
    {
        await File.WriteAllTextAsync(_users, $"# ops\nalice:{BCrypt.Net.BCrypt.HashPassword("s3cret", 4)}\nbob:$apr1$abc$def\n");
        var route = Route(new BasicAuthMiddleware("admin", _users, "ops", RemoveHeader: true));
        string Basic(string credentials) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials));

        var (good, goodForwarded) = await RunAsync(route, c => c.Request.Headers.Authorization = Basic("alice:s3cret"));
        var (wrong, wrongForwarded) = await RunAsync(route, c => c.Request.Headers.Authorization = Basic("alice:guess"));
        var (md5, md5Forwarded) = await RunAsync(route, c => c.Request.Headers.Authorization = Basic("bob:anything"));
        var (none, noneForwarded) = await RunAsync(route);

        Assert.True(goodForwarded);
        Assert.Empty(good.Request.Headers.Authorization.ToString());
        Assert.False(wrongForwarded || md5Forwarded || noneForwarded);
        Assert.All(new[] { wrong, md5, none }, c =>
        {
            Assert.Equal(401, c.Response.StatusCode);
            Assert.Equal("Basic realm=\"ops\", charset=\"UTF-8\"", c.Response.Headers.WWWAuthenticate.ToString());
        });
    }

    [Fact]
    public async Task Basic_auth_with_a_users_file_never_read_refuses_everyone_with_503()
    {
        var (context, forwarded) = await RunAsync(Route(new BasicAuthMiddleware("admin", _users, "ops", false)),
            c => c.Request.Headers.Authorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:s3cret")));

        Assert.False(forwarded);
        Assert.Equal(503, context.Response.StatusCode);
    }

    [Theory]
    [InlineData("GET", false, 302)]
    [InlineData("POST", false, 307)]
    [InlineData("GET", true, 301)]
    [InlineData("PUT", true, 308)]
    public async Task Redirect_regex_rewrites_the_whole_url(string method, bool permanent, int status)
    {
        var (context, forwarded) = await RunAsync(Route(new RedirectRegexMiddleware("old", "^http://old\\.test/(.*)", "https://new.test/$1", permanent)),
            c => c.Request.Method = method);

        Assert.False(forwarded);
        Assert.Equal(status, context.Response.StatusCode);
        Assert.Equal("https://new.test/cart/7?x=1", context.Response.Headers.Location.ToString());
    }

    [Fact]
    public async Task Redirect_regex_forwards_what_it_does_not_match()
    {
        var (_, forwarded) = await RunAsync(Route(new RedirectRegexMiddleware("old", "^http://other\\.test/", "https://new.test/", false)));

        Assert.True(forwarded);
    }

    [Fact]
    public async Task In_flight_answers_429_past_the_limit_and_frees_the_place_when_a_request_ends()
    {
        var route = Route(new InFlightMiddleware("busy", 1));
        var release = new TaskCompletionSource();
        var middleware = Middleware(_ => release.Task);

        var first = RunAsync(route, middleware: middleware);
        var (second, _) = await RunAsync(route, middleware: middleware);
        release.SetResult();
        await first;
        var (third, _) = await RunAsync(route, middleware: middleware);

        Assert.Equal(429, second.Response.StatusCode);
        Assert.Equal(200, third.Response.StatusCode);
    }

    [Fact]
    public async Task Rate_limit_lets_a_burst_through_then_answers_429_with_retry_after_per_client()
    {
        var route = Route(new RateLimitMiddleware("api", new RequestRate(1, TimeSpan.FromMinutes(1)), 3, null));
        var middleware = Middleware(_ => Task.CompletedTask);

        var statuses = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            statuses.Add((await RunAsync(route, middleware: middleware)).Context.Response.StatusCode);
        }

        var (refused, _) = await RunAsync(route, middleware: middleware);
        var (other, _) = await RunAsync(route, c => c.Connection.RemoteIpAddress = IPAddress.Parse("10.1.2.4"), middleware);

        Assert.Equal([200, 200, 200, 429, 429], statuses);
        Assert.Equal(429, refused.Response.StatusCode);
        Assert.True(int.Parse(refused.Response.Headers.RetryAfter.ToString()) >= 1);
        Assert.Equal(200, other.Response.StatusCode);
    }

    [Fact]
    public async Task Rate_limit_by_header_counts_each_value_apart_and_requests_without_it_by_client()
    {
        var route = Route(new RateLimitMiddleware("per-key", new RequestRate(1, TimeSpan.FromMinutes(1)), 2, "X-Api-Key"));
        var middleware = Middleware(_ => Task.CompletedTask);
        async Task<int[]> Send(string? key, int count)
        {
            var statuses = new int[count];
            for (var i = 0; i < count; i++)
            {
                statuses[i] = (await RunAsync(route, c => { if (key is not null) c.Request.Headers["X-Api-Key"] = key; }, middleware)).Context.Response.StatusCode;
            }

            return statuses;
        }

        var alice = await Send("alice", 3);
        var bob = await Send("bob", 3);
        var anonymous = await Send(null, 3);

        Assert.Equal(new[] { 200, 200, 429 }, alice);
        Assert.Equal(new[] { 200, 200, 429 }, bob);
        Assert.Equal(new[] { 200, 200, 429 }, anonymous);
    }

    [Fact]
    public async Task Rate_limit_by_header_holds_a_client_inventing_values_at_ten_values_worth()
    {
        var route = Route(new RateLimitMiddleware("per-key", new RequestRate(1, TimeSpan.FromMinutes(1)), 2, "X-Api-Key"));
        var middleware = Middleware(_ => Task.CompletedTask);
        var statuses = new List<int>();
        for (var i = 0; i < 25; i++)
        {
            statuses.Add((await RunAsync(route, c => c.Request.Headers["X-Api-Key"] = $"made-up-{i}", middleware)).Context.Response.StatusCode);
        }

        Assert.Equal(Enumerable.Repeat(200, 2 * Gates.ValuesPerClient).Concat(Enumerable.Repeat(429, 25 - (2 * Gates.ValuesPerClient))), statuses);
    }

    [Fact]
    public async Task Rate_limit_keeps_a_routes_buckets_while_it_is_unchanged_and_starts_new_ones_when_it_changes()
    {
        var gate = new RateLimitMiddleware("api", new RequestRate(1, TimeSpan.FromMinutes(1)), 2, null);
        var route = Route(gate);
        var middleware = Middleware(_ => Task.CompletedTask);
        for (var i = 0; i < 2; i++)
        {
            await RunAsync(route, middleware: middleware);
        }

        var (same, _) = await RunAsync(route, middleware: middleware);
        var (changed, _) = await RunAsync(Route(gate with { Burst = 3 }), middleware: middleware);

        Assert.Equal(429, same.Response.StatusCode);
        Assert.Equal(200, changed.Response.StatusCode);
    }

    [Theory]
    [InlineData(100, 1, 1, 20)]
    [InlineData(100, 1, 50, 50)]
    [InlineData(7, 1, 1, 2)]
    [InlineData(600, 60, 1, 2)]
    [InlineData(1_000_000, 1, 1, 200_000)]
    public void Rate_limit_buckets_hold_at_least_what_the_rate_refills_between_two_timer_ticks(int permits, int seconds, int burst, int limit)
    {
        var bucket = Gates.Bucket(new RequestRate(permits, TimeSpan.FromSeconds(seconds)), burst);

        Assert.Equal(limit, bucket.TokenLimit);
        Assert.Equal(1, bucket.TokensPerPeriod);
        Assert.Equal(TimeSpan.FromSeconds(seconds) / permits, bucket.ReplenishmentPeriod);
    }

    [Theory]
    [InlineData("gzip", "text/plain", "gzip")]
    [InlineData("br", "application/json", "br")]
    [InlineData("gzip, br", "text/html", "br")]
    [InlineData("", "text/plain", null)]
    [InlineData("gzip", "image/png", null)]
    [InlineData("gzip", "text/csv", null)]
    public async Task Compress_encodes_what_the_client_accepts_for_the_types_it_names(string accept, string type, string? encoding)
    {
        var route = Route(new CompressMiddleware("gz", [], ["text/csv"]));
        var body = new MemoryStream();
        var text = string.Concat(Enumerable.Repeat("hello, swarm; ", 200));

        var (context, forwarded) = await RunAsync(route, c =>
        {
            c.Request.Headers.AcceptEncoding = accept;
            c.Features.Set<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>(new StreamResponseBodyFeature(body));
        }, forward: async c =>
        {
            c.Response.ContentType = type;
            await c.Response.WriteAsync(text);
        });

        Assert.True(forwarded);
        Assert.Equal(encoding, context.Response.Headers.ContentEncoding.FirstOrDefault());
        body.Position = 0;
        Stream decoded = encoding switch
        {
            "gzip" => new System.IO.Compression.GZipStream(body, System.IO.Compression.CompressionMode.Decompress),
            "br" => new System.IO.Compression.BrotliStream(body, System.IO.Compression.CompressionMode.Decompress),
            _ => body,
        };
        Assert.Equal(text, await new StreamReader(decoded).ReadToEndAsync());
        if (encoding is not null)
        {
            Assert.True(body.Length < text.Length / 4);
        }
    }

    [Fact]
    public async Task Compress_leaves_alone_what_the_task_compressed_itself()
    {
        var route = Route(new CompressMiddleware("gz", [], []));
        var body = new MemoryStream();

        var (context, _) = await RunAsync(route, c =>
        {
            c.Request.Headers.AcceptEncoding = "gzip";
            c.Features.Set<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>(new StreamResponseBodyFeature(body));
        }, forward: async c =>
        {
            c.Response.ContentType = "text/plain";
            c.Response.Headers.ContentEncoding = "deflate";
            await c.Response.Body.WriteAsync(new byte[] { 1, 2, 3 });
        });

        Assert.Equal("deflate", context.Response.Headers.ContentEncoding.ToString());
        Assert.Equal([1, 2, 3], body.ToArray());
    }

    [Fact]
    public async Task Cors_answers_a_preflight_itself_for_an_allowed_origin()
    {
        var route = Route(new CorsMiddleware("web", ["https://app.example.com", "https://*.shop.test"], ["GET", "PUT"], ["X-Token"], ["X-Trace"], true, TimeSpan.FromMinutes(10)));
        void Preflight(HttpContext c, string origin)
        {
            c.Request.Method = "OPTIONS";
            c.Request.Headers.Origin = origin;
            c.Request.Headers.AccessControlRequestMethod = "PUT";
            c.Request.Headers.AccessControlRequestHeaders = "X-Token";
        }

        var (allowed, allowedForwarded) = await RunAsync(route, c => Preflight(c, "https://app.example.com"));
        var (subdomain, _) = await RunAsync(route, c => Preflight(c, "https://eu.shop.test"));
        var (stranger, _) = await RunAsync(route, c => Preflight(c, "https://evil.test"));

        Assert.False(allowedForwarded);
        Assert.Equal(204, allowed.Response.StatusCode);
        Assert.Equal("https://app.example.com", allowed.Response.Headers.AccessControlAllowOrigin.ToString());
        Assert.Equal("true", allowed.Response.Headers.AccessControlAllowCredentials.ToString());
        Assert.Contains("PUT", allowed.Response.Headers.AccessControlAllowMethods.ToString());
        Assert.Equal("600", allowed.Response.Headers.AccessControlMaxAge.ToString());
        Assert.Equal("https://eu.shop.test", subdomain.Response.Headers.AccessControlAllowOrigin.ToString());
        Assert.Empty(stranger.Response.Headers.AccessControlAllowOrigin.ToString());
    }

    [Fact]
    public async Task Cors_forwards_requests_and_names_only_allowed_origins_in_the_answer()
    {
        var route = Route(new CorsMiddleware("web", ["https://app.example.com"], ["GET"], [], ["X-Trace"], false, null));

        // The answer's CORS headers are set as it starts, as a server would start it.
        async Task<(HttpContext, bool)> Send(string? origin)
        {
            var response = new SwarmEdge.Tests.Proxy.StartingResponseFeature();
            var (context, forwarded) = await RunAsync(route, c =>
            {
                c.Features.Set<Microsoft.AspNetCore.Http.Features.IHttpResponseFeature>(response);
                if (origin is not null)
                {
                    c.Request.Headers.Origin = origin;
                }
            });
            await response.StartAsync();
            return (context, forwarded);
        }

        var (allowed, allowedForwarded) = await Send("https://app.example.com");
        var (stranger, strangerForwarded) = await Send("https://evil.test");
        var (sameOrigin, sameForwarded) = await Send(null);

        Assert.True(allowedForwarded && strangerForwarded && sameForwarded);
        Assert.Equal("https://app.example.com", allowed.Response.Headers.AccessControlAllowOrigin.ToString());
        Assert.Equal("X-Trace", allowed.Response.Headers.AccessControlExposeHeaders.ToString());
        Assert.Empty(allowed.Response.Headers.AccessControlAllowCredentials.ToString());
        Assert.Empty(stranger.Response.Headers.AccessControlAllowOrigin.ToString());
        Assert.Empty(sameOrigin.Response.Headers.AccessControlAllowOrigin.ToString());
    }

    [Fact]
    public async Task Gates_run_in_chain_order_and_the_first_refusal_stops_the_request()
    {
        // Outside the allowed range: refused by ip-allow before basic-auth would ask for a password.
        var route = Route(new IpAllowMiddleware("office", ["10.9.0.0/16"]), new BasicAuthMiddleware("admin", _users, "ops", false));

        var (context, forwarded) = await RunAsync(route);

        Assert.False(forwarded);
        Assert.Equal(403, context.Response.StatusCode);
    }

    [Fact]
    public async Task A_route_without_gates_goes_straight_on()
    {
        var (_, forwarded) = await RunAsync(new RouteConfig { RouteId = "shop/default", Match = new RouteMatch { Path = "/{**all}" } });

        Assert.True(forwarded);
    }

    [Fact]
    public async Task Forward_auth_lets_through_what_the_auth_service_allows_with_its_identity_headers_only()
    {
        var route = Route(new ForwardAuthMiddleware("sso", auth.Address("/verify"), ["Remote-User", "Remote-Groups"], []));

        var (allowed, allowedForwarded) = await RunAsync(route, c =>
        {
            c.Request.Headers["X-Token"] = "alice";
            c.Request.Headers["Remote-User"] = "root";
            c.Request.Headers["Remote-Groups"] = "admins";
            c.Request.Headers["X-Forwarded-For"] = "203.0.113.66";
            c.Request.Headers.Cookie = "session=abc";
        });

        Assert.True(allowedForwarded);
        // The auth service's user, and no groups: it gave none, so the client's own Remote-Groups is gone too.
        Assert.Equal("alice", allowed.Request.Headers["Remote-User"].ToString());
        Assert.False(allowed.Request.Headers.ContainsKey("Remote-Groups"));
        var asked = auth.LastRequest!;
        Assert.Equal(("GET", "/verify"), (asked.Method, asked.Path));
        Assert.Equal(("GET", "http", "old.test", "/cart/7?x=1", "10.1.2.3", "session=abc"),
            (asked.Headers["X-Forwarded-Method"], asked.Headers["X-Forwarded-Proto"], asked.Headers["X-Forwarded-Host"], asked.Headers["X-Forwarded-Uri"],
             asked.Headers["X-Forwarded-For"], asked.Headers["Cookie"]));
    }

    [Fact]
    public async Task Forward_auth_gives_the_client_the_auth_services_refusal()
    {
        var route = Route(new ForwardAuthMiddleware("sso", auth.Address("/verify"), ["Remote-User"], []));
        var body = new MemoryStream();

        var (refused, forwarded) = await RunAsync(route, c => c.Response.Body = body);

        Assert.False(forwarded);
        Assert.Equal(302, refused.Response.StatusCode);
        Assert.Equal("https://login.test/?rd=/cart/7?x=1", refused.Response.Headers.Location.ToString());
        Assert.Equal("log in first", Encoding.UTF8.GetString(body.ToArray()));
    }

    [Fact]
    public async Task Forward_auth_sends_only_the_listed_request_headers_when_told()
    {
        var route = Route(new ForwardAuthMiddleware("sso", auth.Address("/verify"), [], ["X-Token"]));

        var (_, forwarded) = await RunAsync(route, c =>
        {
            c.Request.Headers["X-Token"] = "alice";
            c.Request.Headers.Cookie = "session=abc";
        });

        Assert.True(forwarded);
        Assert.False(auth.LastRequest!.Headers.ContainsKey("Cookie"));
        Assert.Equal("alice", auth.LastRequest.Headers["X-Token"]);
    }

    [Fact]
    public async Task Forward_auth_fails_closed_when_the_auth_service_cannot_be_reached()
    {
        var (down, downForwarded) = await RunAsync(Route(new ForwardAuthMiddleware("sso", auth.ClosedAddress(), [], [])), c => c.Request.Headers["X-Token"] = "alice");
        // The auth service listens on loopback too, but the edge never connects there: a label cannot aim it at itself.
        var (loopback, loopbackForwarded) = await RunAsync(Route(new ForwardAuthMiddleware("sso", auth.LoopbackAddress("/verify"), [], [])), c => c.Request.Headers["X-Token"] = "alice");

        Assert.False(downForwarded || loopbackForwarded);
        Assert.Equal((503, 503), (down.Response.StatusCode, loopback.Response.StatusCode));
    }

    [Theory]
    [InlineData("10.0.1.5", true)]
    [InlineData("172.17.0.1", true)]
    [InlineData("fd00::5", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("127.8.9.10", false)]
    [InlineData("::1", false)]
    [InlineData("::ffff:127.0.0.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("fe80::1", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("224.0.0.1", false)]
    public void Forward_auth_never_connects_to_the_edge_itself_or_link_local_addresses(string address, bool allowed) =>
        Assert.Equal(allowed, ForwardAuthClient.MayConnect(IPAddress.Parse(address)));

    public void Dispose()
    {
        File.Delete(_users);
        _forwardAuth.Dispose();
        _gates?.Dispose();
    }
}
