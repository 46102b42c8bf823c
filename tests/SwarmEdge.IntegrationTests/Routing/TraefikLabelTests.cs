using System.Net;
using SwarmEdge.IntegrationTests.Hostile;
using SwarmEdge.IntegrationTests.Lab;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Routing;

/// <summary>
/// A stack written for Traefik's Swarm provider, deployed unchanged with docker stack deploy and served by an edge
/// with SwarmEdge:Discovery:TraefikLabels on: the routing decisions Traefik makes for it, request by request.
/// </summary>
[Collection(SingleNodeSwarmCollection.Name)]
public sealed class TraefikLabelTests(SingleNodeSwarm swarm, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Port = 18450; // proxy; admin +1
    private readonly string _stack = SwarmServices.UniqueName("tfk");
    private readonly string _dir = Directory.CreateTempSubdirectory("swarmedge-traefik-").FullName;
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false, UseCookies = false }) { Timeout = TimeSpan.FromSeconds(5) };
    private SwarmEdgeProcess? _edge;

    /// <summary>As a Traefik user writes it: routers with rule expressions, a sticky cookie, a health check, middlewares.</summary>
    private string StackFile(string domain) => $$$"""
        version: "3.8"
        services:
          shop:
            image: {{{SwarmServices.Image}}}
            hostname: "{{.Task.Name}}"
            networks: [edge]
            deploy:
              replicas: 3
              labels:
                traefik.enable: "true"
                traefik.http.routers.shop.rule: Host(`shop.{{{domain}}}`) || Host(`www.{{{domain}}}`)
                traefik.http.routers.shop.entrypoints: web
                traefik.http.routers.shop.middlewares: secure@docker
                traefik.http.routers.shop-api.rule: (Host(`shop.{{{domain}}}`) || Host(`www.{{{domain}}}`)) && PathPrefix(`/api`)
                traefik.http.routers.shop-api.entrypoints: web
                traefik.http.routers.shop-api.middlewares: strip-api,secure
                traefik.http.routers.shop-api.priority: "100"
                traefik.http.services.shop.loadbalancer.server.port: "80"
                traefik.http.services.shop.loadbalancer.sticky.cookie.name: shop_sticky
                traefik.http.services.shop.loadbalancer.healthcheck.path: /
                traefik.http.services.shop.loadbalancer.healthcheck.interval: 2s
                traefik.http.services.shop.loadbalancer.responseforwarding.flushinterval: 100ms
                traefik.http.middlewares.strip-api.stripprefix.prefixes: /api
                traefik.http.middlewares.secure.headers.customrequestheaders.X-Team: shop
                traefik.http.middlewares.secure.headers.framedeny: "true"
          admin:
            image: {{{SwarmServices.Image}}}
            networks: [edge]
            deploy:
              labels:
                traefik.enable: "true"
                traefik.http.routers.admin.rule: Host(`admin.{{{domain}}}`)
                traefik.http.routers.admin.middlewares: office
                traefik.http.middlewares.office.ipallowlist.sourcerange: 10.99.0.0/16
                traefik.http.services.admin.loadbalancer.server.port: "80"
          old:
            image: {{{SwarmServices.Image}}}
            networks: [edge]
            deploy:
              labels:
                traefik.enable: "true"
                traefik.http.routers.old.rule: Host(`old.{{{domain}}}`)
                traefik.http.routers.old.middlewares: moved
                traefik.http.middlewares.moved.redirectregex.regex: ^http://old\.{{{domain.Replace(".", "\\.", StringComparison.Ordinal)}}}/(.*)
                traefik.http.middlewares.moved.redirectregex.replacement: http://shop.{{{domain}}}/$${1}
                traefik.http.middlewares.moved.redirectregex.permanent: "true"
                traefik.http.services.old.loadbalancer.server.port: "80"
          legacy:
            image: {{{SwarmServices.Image}}}
            networks: [edge]
            deploy:
              labels:
                traefik.enable: "true"
                traefik.http.routers.legacy.rule: Host(`legacy.{{{domain}}}`) && Method(`GET`)
                traefik.http.routers.legacy-beta.rule: Host(`legacy.{{{domain}}}`) && Header(`X-Env`, `beta`) && Path(`/exact`)
                traefik.http.routers.legacy-beta.middlewares: beta
                traefik.http.middlewares.beta.headers.customrequestheaders.X-Team: beta
                traefik.http.services.legacy.loadbalancer.server.port: "80"
          query:
            image: {{{SwarmServices.Image}}}
            networks: [edge]
            deploy:
              labels:
                traefik.enable: "true"
                traefik.http.routers.query.rule: Host(`query.{{{domain}}}`) && !Query(`debug`, `1`)
                traefik.http.services.query.loadbalancer.server.port: "80"
          hidden:
            image: {{{SwarmServices.Image}}}
            networks: [edge]
            deploy:
              labels:
                traefik.enable: "false"
                traefik.http.routers.hidden.rule: Host(`hidden.{{{domain}}}`)
                traefik.http.services.hidden.loadbalancer.server.port: "80"
        networks:
          edge:
            external: true
            name: {{{SingleNodeSwarm.Network}}}
        """;

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_stack_labelled_for_Traefik_is_served_unchanged_with_the_routing_decisions_Traefik_makes()
    {
        var domain = $"{_stack}.test";
        _edge = await ProductionEdge.StartAsync(swarm, Port, new() { ["SwarmEdge:Discovery:TraefikLabels"] = "true" });
        var file = Path.Combine(_dir, "stack.yml");
        await File.WriteAllTextAsync(file, StackFile(domain));
        var deployed = DateTime.UtcNow;
        await Shell.DockerAsync("stack", "deploy", "--resolve-image", "never", "-c", file, _stack);
        await ProductionEdge.WaitForEndpointsAsync(_edge, $"{_stack}_shop", 3);
        await ProductionEdge.WaitForEndpointsAsync(_edge, $"{_stack}_old", 1);
        var served = DateTime.UtcNow - deployed;

        // Host(shop) || Host(www): one route, both hosts, its headers middleware applied.
        var tasks = new HashSet<string>(StringComparer.Ordinal);
        foreach (var host in new[] { $"shop.{domain}", $"www.{domain}" })
        {
            using var response = await SendAsync(_edge.Proxy, host, "/cart");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var (task, uri) = await AnswerAsync(response);
            Assert.StartsWith($"{_stack}_shop.", task, StringComparison.Ordinal);
            Assert.Equal("/cart", uri);
            Assert.Equal("shop", Header(response, "X-Seen-Team"));
            Assert.Equal("DENY", Header(response, "X-Frame-Options"));
            tasks.Add(task);
        }

        // The API router (priority 100, PathPrefix): the prefix stripped, then the shared headers middleware.
        using (var api = await SendAsync(_edge.Proxy, $"www.{domain}", "/api/items?page=2"))
        {
            Assert.Equal(HttpStatusCode.OK, api.StatusCode);
            Assert.Equal("/items?page=2", (await AnswerAsync(api)).Uri);
            Assert.Equal("shop", Header(api, "X-Seen-Team"));
        }

        // The sticky cookie keeps a client on its task; clients without one are spread over the three.
        using var first = await SendAsync(_edge.Proxy, $"shop.{domain}", "/");
        var cookie = first.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("shop_sticky=", StringComparison.Ordinal)).Split(';')[0];
        var stickyTask = (await AnswerAsync(first)).Task;
        for (var i = 0; i < 20; i++)
        {
            using var again = await SendAsync(_edge.Proxy, $"shop.{domain}", "/", ("Cookie", cookie));
            Assert.Equal(stickyTask, (await AnswerAsync(again)).Task);
        }

        for (var i = 0; i < 30 && tasks.Count < 3; i++)
        {
            using var fresh = await SendAsync(_edge.Proxy, $"shop.{domain}", "/");
            tasks.Add((await AnswerAsync(fresh)).Task);
        }

        Assert.Equal(3, tasks.Count);

        // ipallowlist: the lab is not in 10.99.0.0/16.
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(_edge.Proxy, $"admin.{domain}", "/")).StatusCode);

        // redirectregex, permanent: 301 with the captured path.
        using (var moved = await SendAsync(_edge.Proxy, $"old.{domain}", "/a/b"))
        {
            Assert.Equal(HttpStatusCode.MovedPermanently, moved.StatusCode);
            Assert.Equal($"http://shop.{domain}/a/b", moved.Headers.Location?.ToString());
        }

        // Method, Header and an exact Path: GET only; the header router on exactly its path, and only with the header.
        await ProductionEdge.WaitForEndpointsAsync(_edge, $"{_stack}_legacy", 1);
        var legacy = new List<string>();
        foreach (var (method, path, env) in new[] { ("GET", "/", null), ("POST", "/", null), ("GET", "/exact", "beta"), ("GET", "/exact", null), ("GET", "/exact/more", "beta"), ("GET", "/exact", "alpha") })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(_edge.Proxy, path));
            request.Headers.Host = $"legacy.{domain}";
            if (env is not null)
            {
                request.Headers.Add("X-Env", env);
            }

            using var response = await _http.SendAsync(request);
            legacy.Add($"{method} {path}{(env is null ? "" : $" X-Env:{env}")}: {(int)response.StatusCode}{(Header(response, "X-Seen-Team") is { } team ? $" ({team})" : "")}");
        }

        Assert.Equal(
            ["GET /: 200", "POST /: 404", "GET /exact X-Env:beta: 200 (beta)", "GET /exact: 200", "GET /exact/more X-Env:beta: 200", "GET /exact X-Env:alpha: 200"],
            legacy);

        // A rule SwarmEdge cannot serve as written is not served in part: not found, and the reason named.
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(_edge.Proxy, $"query.{domain}", "/")).StatusCode);
        var query = await _edge.ServiceAsync($"{_stack}_query");
        var queryError = Assert.Single(query!.Value.GetProperty("errors").EnumerateArray()).GetString()!;
        Assert.Contains("negation is not supported", queryError, StringComparison.Ordinal);

        // What has no equivalent is a warning naming the key; traefik.enable=false is not served.
        var shop = await _edge.ServiceAsync($"{_stack}_shop");
        Assert.Contains(shop!.Value.GetProperty("warnings").EnumerateArray(),
            w => w.GetString()!.Contains("traefik.http.services.shop.loadbalancer.responseforwarding.flushinterval", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(_edge.Proxy, $"hidden.{domain}", "/")).StatusCode);
        Assert.Null(await _edge.ServiceAsync($"{_stack}_hidden"));

        // An edge without the setting reads SwarmEdge's labels only.
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(swarm.Edge.Proxy, $"shop.{domain}", "/")).StatusCode);
        Measurements.Record(output, "Traefik-labelled stack (5 services) through SwarmEdge",
            $"served {served.TotalSeconds:0.0} s after docker stack deploy; 2 hosts of one rule, the API router stripped, the sticky cookie held 20 of 20, " +
            $"3 tasks without it, ipallowlist 403, redirectregex 301, {string.Join("; ", legacy)}, !Query() not served with its error, traefik.enable=false not served");
    }

    private async Task<HttpResponseMessage> SendAsync(Uri proxy, string host, string path, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(proxy, path));
        request.Headers.Host = host;
        foreach (var (header, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        return await _http.SendAsync(request);
    }

    private static async Task<(string Task, string Uri)> AnswerAsync(HttpResponseMessage response)
    {
        var parts = (await response.Content.ReadAsStringAsync()).Trim().Split(' ', 2);
        return (parts[0], parts.Length > 1 ? parts[1] : "");
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(",", values) : null;

    public async Task DisposeAsync()
    {
        await Shell.RunAsync("docker", ["stack", "rm", _stack], check: false);
        if (_edge is not null)
        {
            await _edge.DisposeAsync();
        }

        _http.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
