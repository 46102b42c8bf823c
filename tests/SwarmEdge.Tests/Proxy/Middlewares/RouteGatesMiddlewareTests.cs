using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
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
        middleware ??= new RouteGatesMiddleware(async c => { forwarded = true; if (forward is not null) await forward(c); }, _files, _forwardAuth, NullLogger<RouteGatesMiddleware>.Instance);
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
        var middleware = new RouteGatesMiddleware(_ => release.Task, _files, _forwardAuth, NullLogger<RouteGatesMiddleware>.Instance);

        var first = RunAsync(route, middleware: middleware);
        var (second, _) = await RunAsync(route, middleware: middleware);
        release.SetResult();
        await first;
        var (third, _) = await RunAsync(route, middleware: middleware);

        Assert.Equal(429, second.Response.StatusCode);
        Assert.Equal(200, third.Response.StatusCode);
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
    }
}
