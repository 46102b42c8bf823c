using SwarmEdge.Catalog;
using SwarmEdge.Catalog.Traefik;
using static SwarmEdge.Tests.TestData;

namespace SwarmEdge.Tests.Catalog.Traefik;

/// <summary>Services labelled as a Traefik user labels them, and the SwarmEdge labels (and routes) they become.</summary>
public sealed class TraefikLabelsTests
{
    private static TraefikTranslation Translate(params (string Key, string Value)[] labels) => TraefikLabels.Translate(Labels(labels));

    private static string[] Lines(TraefikTranslation translation) => [.. translation.Labels.Select(l => $"{l.Key}={l.Value}")];

    [Fact]
    public void A_tls_router_with_a_cert_resolver_is_an_https_route_with_acme_on_its_service_port()
    {
        var translation = Translate(
            ("traefik.enable", "true"),
            ("traefik.http.routers.shop.rule", "Host(`shop.test`)"),
            ("traefik.http.routers.shop.entrypoints", "websecure"),
            ("traefik.http.routers.shop.tls.certresolver", "le"),
            ("traefik.http.services.shop.loadbalancer.server.port", "8080"),
            ("com.docker.stack.namespace", "shop"));

        Assert.Empty(translation.Errors);
        Assert.Empty(translation.Warnings);
        Assert.Equal(
            ["swarmedge.enable=true", "swarmedge.http.routers.shop.acme=true", "swarmedge.http.routers.shop.host=shop.test",
             "swarmedge.http.routers.shop.port=8080", "swarmedge.http.routers.shop.scheme=https"],
            Lines(translation));
    }

    [Fact]
    public void The_usual_redirect_router_becomes_a_redirect_of_http_requests_only()
    {
        var translation = Translate(
            ("traefik.enable", "true"),
            ("traefik.http.routers.shop-http.rule", "Host(`shop.test`)"),
            ("traefik.http.routers.shop-http.entrypoints", "web"),
            ("traefik.http.routers.shop-http.middlewares", "to-https@docker"),
            ("traefik.http.middlewares.to-https.redirectscheme.scheme", "https"),
            ("traefik.http.middlewares.to-https.redirectscheme.permanent", "true"),
            ("traefik.http.services.shop.loadbalancer.server.port", "80"));

        Assert.Empty(translation.Errors);
        Assert.Equal(
            ["swarmedge.enable=true", "swarmedge.http.routers.shop-http.host=shop.test", "swarmedge.http.routers.shop-http.middlewares=to-https",
             "swarmedge.http.routers.shop-http.port=80", "swarmedge.http.routers.shop-http.scheme=http",
             "swarmedge.middlewares.to-https.redirect-regex.permanent=true",
             "swarmedge.middlewares.to-https.redirect-regex.regex=^http://([^/:]+)(:[0-9]+)?(.*)$",
             "swarmedge.middlewares.to-https.redirect-regex.replacement=https://$1$3"],
            Lines(translation));
    }

    [Fact]
    public void Alternatives_on_one_path_are_one_route_and_other_paths_more_routes()
    {
        var translation = Translate(
            ("traefik.enable", "true"),
            ("traefik.http.routers.web.rule", "(Host(`a.test`) || Host(`b.test`)) && PathPrefix(`/api`) || Host(`c.test`) || Host(`d.test`)"),
            ("traefik.http.routers.web.priority", "10"),
            ("traefik.http.services.web.loadbalancer.server.port", "3000"));

        Assert.Empty(translation.Errors);
        var result = ServiceLabelParser.Parse(translation.Labels);
        Assert.Empty(result.Errors);
        Assert.Equal(
            ["web a.test,b.test /api 10", "web-2 c.test,d.test  10"],
            result.Routing!.Routes.Select(r => $"{r.Name} {string.Join(',', r.Hosts)} {r.PathPrefix} {r.Priority}").ToArray());
        Assert.All(result.Routing.Routes, r => Assert.Equal(3000, r.Port));
        Assert.All(result.Routing.Routes, r => Assert.Equal(RouteScheme.Both, r.Tls!.Scheme));
    }

    [Fact]
    public void A_path_without_a_host_covers_the_same_path_on_a_host()
    {
        var translation = Translate(
            ("traefik.enable", "true"),
            ("traefik.http.routers.r.rule", "Host(`a.test`) && PathPrefix(`/x`) || PathPrefix(`/x`)"),
            ("traefik.http.services.s.loadbalancer.server.port", "80"));

        Assert.Empty(translation.Errors);
        Assert.DoesNotContain(translation.Labels.Keys, k => k.EndsWith(".host", StringComparison.Ordinal));
        Assert.Equal("/x", translation.Labels["swarmedge.http.routers.r.path"]);
    }

    [Fact]
    public void Path_method_and_header_matchers_become_a_router_s_exact_path_methods_and_headers()
    {
        var translation = Translate(
            ("traefik.enable", "true"),
            ("traefik.http.routers.api.rule", "Host(`a.test`) && (Method(`GET`, `HEAD`) || Method(`POST`) && Header(`X-Env`, `beta`)) && Path(`/v1/items`)"),
            ("traefik.http.routers.health.rule", "Path(`/healthz`)"),
            ("traefik.http.routers.canary.rule", "Host(`a.test`) && Headers(`X-Canary`, `1`) && Headers(`X-Env`, `beta`)"),
            ("traefik.http.services.s.loadbalancer.server.port", "80"));

        Assert.Empty(translation.Errors);
        Assert.Equal(
            ["swarmedge.enable=true",
             "swarmedge.http.routers.api-2.exact-path=true", "swarmedge.http.routers.api-2.host=a.test", "swarmedge.http.routers.api-2.methods=HEAD",
             "swarmedge.http.routers.api-2.path=/v1/items", "swarmedge.http.routers.api-2.port=80", "swarmedge.http.routers.api-2.scheme=both",
             "swarmedge.http.routers.api-3.exact-path=true", "swarmedge.http.routers.api-3.headers=X-Env=beta", "swarmedge.http.routers.api-3.host=a.test",
             "swarmedge.http.routers.api-3.methods=POST", "swarmedge.http.routers.api-3.path=/v1/items", "swarmedge.http.routers.api-3.port=80",
             "swarmedge.http.routers.api-3.scheme=both",
             "swarmedge.http.routers.api.exact-path=true", "swarmedge.http.routers.api.host=a.test", "swarmedge.http.routers.api.methods=GET",
             "swarmedge.http.routers.api.path=/v1/items", "swarmedge.http.routers.api.port=80", "swarmedge.http.routers.api.scheme=both",
             "swarmedge.http.routers.canary.headers=X-Canary=1; X-Env=beta", "swarmedge.http.routers.canary.host=a.test", "swarmedge.http.routers.canary.port=80",
             "swarmedge.http.routers.canary.scheme=both",
             "swarmedge.http.routers.health.exact-path=true", "swarmedge.http.routers.health.path=/healthz", "swarmedge.http.routers.health.port=80",
             "swarmedge.http.routers.health.scheme=both"],
            Lines(translation));

        var routes = ServiceLabelParser.Parse(translation.Labels).Routing!.Routes;
        Assert.Equal(
            [("api", "GET", ""), ("api-2", "HEAD", ""), ("api-3", "POST", "X-Env=beta"), ("canary", "", "X-Canary=1; X-Env=beta"), ("health", "", "")],
            routes.Select(r => (r.Name, string.Join(',', r.Methods), string.Join("; ", r.Headers.Select(h => $"{h.Name}={h.Value}")))).ToArray());
        Assert.All(routes.Where(r => r.Name != "canary"), r => Assert.True(r.ExactPath));
    }

    [Theory]
    [InlineData("Host(`a.test`) && Query(`x`, `1`)", "label traefik.http.routers.r.rule: Query(`x`, `1`): the Query matcher is not supported (Host, Path, PathPrefix, Method and Header are)")]
    [InlineData("HostRegexp(`^[a-z]+\\.a\\.test$`)", "label traefik.http.routers.r.rule: HostRegexp(`^[a-z]+\\.a\\.test$`): the HostRegexp matcher is not supported (Host, Path, PathPrefix, Method and Header are)")]
    [InlineData("Host(`a.test`) && !PathPrefix(`/admin`)", "label traefik.http.routers.r.rule: !PathPrefix(`/admin`): negation is not supported (SwarmEdge routes match what is there, not what is absent)")]
    [InlineData("Host(`a.test`) && Method(`GET`) && Method(`POST`)", "label traefik.http.routers.r.rule: Method(`POST`) && Method(`GET`) can match no request")]
    [InlineData("Host(`a.test`) && Path(`/a`) && PathPrefix(`/b`)", "label traefik.http.routers.r.rule: PathPrefix(`/b`): one Path or PathPrefix per route")]
    [InlineData("Header(`X-Env`)", "label traefik.http.routers.r.rule: Header(`X-Env`): takes a header name and a value")]
    [InlineData("Header(`X-Env`, `a;b`)", "label traefik.http.routers.r.rule: Header(`X-Env`, `a;b`): a header name and a value without ';' or control characters")]
    [InlineData("Host(`a.test`) && Host(`b.test`)", "label traefik.http.routers.r.rule: Host(`b.test`) && Host(`a.test`) can match no request")]
    [InlineData("Host(`*.a.test`)", "label traefik.http.routers.r.rule: Host(`*.a.test`): a host name is matched literally (HostRegexp is for patterns)")]
    [InlineData("PathPrefix(`/a/{id:[0-9]+}`)", "label traefik.http.routers.r.rule: PathPrefix(`/a/{id:[0-9]+}`): path templates are not supported")]
    [InlineData("Host(`a.test`", "label traefik.http.routers.r.rule=\"Host(`a.test`\": expected ')' closing Host at the end")]
    public void A_rule_SwarmEdge_cannot_serve_as_written_is_an_error_naming_the_label(string rule, string error)
    {
        var translation = Translate(
            ("traefik.enable", "true"),
            ("traefik.http.routers.r.rule", rule),
            ("traefik.http.services.s.loadbalancer.server.port", "80"));

        Assert.Equal([error], translation.Errors.ToArray());
        var result = ServiceLabelParser.Parse(Labels(("traefik.enable", "true"), ("traefik.http.routers.r.rule", rule), ("traefik.http.services.s.loadbalancer.server.port", "80")));
        Assert.True(result.Enabled);
        Assert.Null(result.Routing);
    }

    [Fact]
    public void Middlewares_map_onto_swarmedge_kinds_of_the_same_name()
    {
        var translation = Translate(
            ("traefik.enable", "true"),
            ("traefik.http.middlewares.strip.stripprefix.prefixes", "/api,/v1"),
            ("traefik.http.middlewares.add.addPrefix.prefix", "/app"),
            ("traefik.http.middlewares.office.ipAllowList.sourceRange", "10.0.0.0/8"),
            ("traefik.http.middlewares.old.ipwhitelist.sourcerange", "192.168.0.0/16"),
            ("traefik.http.middlewares.auth.basicauth.usersfile", "/run/secrets/admins"),
            ("traefik.http.middlewares.auth.basicauth.removeheader", "true"),
            ("traefik.http.middlewares.sso.forwardauth.address", "http://authelia:9091/api/verify"),
            ("traefik.http.middlewares.sso.forwardauth.authResponseHeaders", "Remote-User,Remote-Groups"),
            ("traefik.http.middlewares.sec.headers.customRequestHeaders.X-Env", "prod"),
            ("traefik.http.middlewares.sec.headers.customResponseHeaders.Server", ""),
            ("traefik.http.middlewares.sec.headers.frameDeny", "true"),
            ("traefik.http.middlewares.sec.headers.contentTypeNosniff", "true"),
            ("traefik.http.middlewares.sec.headers.stsSeconds", "31536000"),
            ("traefik.http.middlewares.sec.headers.stsIncludeSubdomains", "true"),
            ("traefik.http.middlewares.move.redirectregex.regex", "^https?://old.test/(.*)"),
            ("traefik.http.middlewares.move.redirectregex.replacement", "https://new.test/${1}"));

        Assert.Empty(translation.Errors);
        Assert.Equal(
            ["swarmedge.enable=true",
             "swarmedge.middlewares.add.add-prefix.prefix=/app",
             "swarmedge.middlewares.auth.basic-auth.remove-header=true",
             "swarmedge.middlewares.auth.basic-auth.users-file=/run/secrets/admins",
             "swarmedge.middlewares.move.redirect-regex.regex=^https?://old.test/(.*)",
             "swarmedge.middlewares.move.redirect-regex.replacement=https://new.test/${1}",
             "swarmedge.middlewares.office.ip-allow.source-range=10.0.0.0/8",
             "swarmedge.middlewares.old.ip-allow.source-range=192.168.0.0/16",
             "swarmedge.middlewares.sec.headers.request.set.X-Env=prod",
             "swarmedge.middlewares.sec.headers.response.remove=Server",
             "swarmedge.middlewares.sec.headers.response.set.Strict-Transport-Security=max-age=31536000; includeSubDomains",
             "swarmedge.middlewares.sec.headers.response.set.X-Content-Type-Options=nosniff",
             "swarmedge.middlewares.sec.headers.response.set.X-Frame-Options=DENY",
             "swarmedge.middlewares.sso.forward-auth.address=http://authelia:9091/api/verify",
             "swarmedge.middlewares.sso.forward-auth.auth-response-headers=Remote-User,Remote-Groups",
             "swarmedge.middlewares.strip.strip-prefix.prefixes=/api,/v1"],
            Lines(translation));

        // The SwarmEdge parser accepts all of it: a service that declares middlewares and routes nothing.
        var result = ServiceLabelParser.Parse(translation.Labels);
        Assert.Empty(result.Errors);
        Assert.Equal(8, result.Routing!.Middlewares.Length);
    }

    [Fact]
    public void Rate_limits_in_flight_limits_compression_and_cors_map_onto_swarmedge_kinds()
    {
        var translation = Translate(
            ("traefik.enable", "true"),
            ("traefik.http.middlewares.api-rate.ratelimit.average", "100"),
            ("traefik.http.middlewares.api-rate.ratelimit.burst", "50"),
            ("traefik.http.middlewares.key-rate.rateLimit.average", "10"),
            ("traefik.http.middlewares.key-rate.rateLimit.period", "1m"),
            ("traefik.http.middlewares.key-rate.rateLimit.sourceCriterion.requestHeaderName", "X-Api-Key"),
            ("traefik.http.middlewares.slow-rate.ratelimit.average", "1"),
            ("traefik.http.middlewares.slow-rate.ratelimit.period", "7s"),
            ("traefik.http.middlewares.busy.inFlightReq.amount", "20"),
            ("traefik.http.middlewares.gz.compress", "true"),
            ("traefik.http.middlewares.gz-json.compress.includedContentTypes", "application/json"),
            ("traefik.http.middlewares.web.headers.accessControlAllowOriginList", "https://app.test"),
            ("traefik.http.middlewares.web.headers.accessControlAllowMethods", "GET,PUT"),
            ("traefik.http.middlewares.web.headers.accessControlMaxAge", "600"),
            ("traefik.http.middlewares.again.retry.attempts", "4"));

        Assert.Equal(
            ["label traefik.http.middlewares.slow-rate.ratelimit.average=\"1\": 1 per 7s is not a whole number of requests per second or minute (up to 1000000)"],
            translation.Errors.ToArray());
        Assert.Contains(translation.Warnings, w => w.StartsWith("label traefik.http.middlewares.again.retry.attempts has no effect", StringComparison.Ordinal));
        Assert.Equal(
            ["swarmedge.enable=true",
             "swarmedge.middlewares.api-rate.rate-limit.burst=50",
             "swarmedge.middlewares.api-rate.rate-limit.rate=100/s",
             "swarmedge.middlewares.busy.in-flight.limit=20",
             "swarmedge.middlewares.gz-json.compress.content-types=application/json",
             "swarmedge.middlewares.gz.compress=true",
             "swarmedge.middlewares.key-rate.rate-limit.burst=1",
             "swarmedge.middlewares.key-rate.rate-limit.header=X-Api-Key",
             "swarmedge.middlewares.key-rate.rate-limit.rate=10/m",
             "swarmedge.middlewares.web.cors.allow-methods=GET,PUT",
             "swarmedge.middlewares.web.cors.allow-origins=https://app.test",
             "swarmedge.middlewares.web.cors.max-age=600s"],
            Lines(translation));
    }

    [Fact]
    public void What_would_weaken_a_chain_is_an_error_and_a_password_is_never_repeated()
    {
        var translation = Translate(
            ("traefik.enable", "true"),
            ("traefik.http.middlewares.auth.basicauth.users", "admin:$2y$05$secrethash"),
            ("traefik.http.middlewares.breaker.circuitbreaker.expression", "NetworkErrorRatio() > 0.5"),
            ("traefik.http.middlewares.cors.headers.accessControlAllowOriginList", "*"),
            ("traefik.http.middlewares.cors.headers.customResponseHeaders.X-Frame-Options", "DENY"),
            ("traefik.http.middlewares.sso.forwardauth.address", "http://auth:9091"),
            ("traefik.http.middlewares.sso.forwardauth.tls.insecureSkipVerify", "true"),
            ("traefik.http.routers.r.rule", "Host(`a.test`)"),
            ("traefik.http.routers.r.middlewares", "auth@internal"),
            ("traefik.http.services.s.loadbalancer.server.port", "80"));

        Assert.Equal(
            ["label traefik.http.middlewares.auth.basicauth.users=\"...\": passwords are not taken from labels: put the htpasswd lines in a Docker secret given to the edge and name it in usersfile",
             "label traefik.http.middlewares.breaker.circuitbreaker.expression=\"NetworkErrorRatio() > 0.5\": the circuitbreaker middleware is not supported yet (stripprefix, addprefix, redirectregex, redirectscheme, ipallowlist, basicauth, forwardauth, headers, ratelimit, inflightreq, compress and retry are)",
             "label traefik.http.middlewares.cors.headers.customResponseHeaders.X-Frame-Options=\"DENY\": a headers middleware with CORS options (accessControl*) translates to SwarmEdge's cors middleware, which sets no other header: declare these headers in a middleware of their own and chain both",
             "label traefik.http.middlewares.sso.forwardauth.tls.insecureSkipVerify=\"true\": option not supported (supported: address, authresponseheaders, authrequestheaders)",
             "label traefik.http.routers.r.middlewares=\"auth@internal\": 'internal' is not SwarmEdge's provider: only names declared by labels (@docker, @swarm) and by the routes file (@file) are"],
            translation.Errors.ToArray());
        Assert.DoesNotContain(translation.Errors, e => e.Contains("secrethash", StringComparison.Ordinal));
    }

    [Fact]
    public void Tuning_keys_without_an_equivalent_are_warnings_naming_the_key()
    {
        var translation = Translate(
            ("traefik.enable", "true"),
            ("traefik.swarm.network", "public"),
            ("traefik.docker.lbswarm", "true"),
            ("traefik.http.routers.r.rule", "Host(`a.test`)"),
            ("traefik.http.routers.r.observability.accesslogs", "false"),
            ("traefik.http.services.s.loadbalancer.server.port", "80"),
            ("traefik.http.services.s.loadbalancer.responseforwarding.flushinterval", "100ms"),
            ("traefik.tcp.routers.db.rule", "HostSNI(`*`)"),
            ("traefik.http.middlewares.office.ipallowlist.sourcerange", "10.0.0.0/8"),
            ("traefik.http.middlewares.office.ipallowlist.ipstrategy.depth", "1"));

        Assert.Empty(translation.Errors);
        Assert.Equal("public", translation.Labels["swarmedge.network"]);
        Assert.Equal(
            ["label traefik.docker.lbswarm has no effect: SwarmEdge always sends to the tasks themselves, never to the service's virtual IP",
             "label traefik.tcp.routers.db.rule is not supported: Traefik TCP routers are not translated (SwarmEdge's TCP routes use swarmedge.tcp.*)",
             "label traefik.http.services.s.loadbalancer.responseforwarding.flushinterval is not supported and has no effect",
             "label traefik.http.middlewares.office.ipallowlist.ipstrategy.depth has no effect: SwarmEdge takes the client's address from the operator's SwarmEdge:Proxy:TrustedProxies, never from a label",
             "label traefik.http.routers.r.observability.accesslogs is not supported and has no effect"],
            translation.Warnings.ToArray());
    }

    [Fact]
    public void Sticky_cookie_health_check_and_scheme_of_the_service_apply_to_the_docker_service()
    {
        var translation = Translate(
            ("traefik.enable", "true"),
            ("traefik.http.routers.r.rule", "Host(`a.test`)"),
            ("traefik.http.services.s.loadbalancer.server.port", "8443"),
            ("traefik.http.services.s.loadbalancer.server.scheme", "https"),
            ("traefik.http.services.s.loadbalancer.sticky.cookie.name", "shop_affinity"),
            ("traefik.http.services.s.loadbalancer.sticky.cookie.samesite", "strict"),
            ("traefik.http.services.s.loadbalancer.healthcheck.path", "/health"),
            ("traefik.http.services.s.loadbalancer.healthcheck.interval", "10s"));

        Assert.Empty(translation.Errors);
        var routing = ServiceLabelParser.Parse(translation.Labels).Routing!;
        Assert.Equal(TaskProtocol.Https, routing.Protocol);
        Assert.Equal(new StickySessions("shop_affinity", "Strict", null), routing.Sticky);
        Assert.Equal("/health", routing.HealthCheck!.Path);
        Assert.Equal(TimeSpan.FromSeconds(10), routing.HealthCheck.Interval);
    }

    [Fact]
    public void Routers_go_to_the_port_of_the_service_they_name()
    {
        var translation = Translate(
            ("traefik.enable", "true"),
            ("traefik.http.routers.ui.rule", "Host(`a.test`)"),
            ("traefik.http.routers.ui.service", "ui"),
            ("traefik.http.routers.api.rule", "Host(`a.test`) && PathPrefix(`/api`)"),
            ("traefik.http.routers.api.service", "api@swarm"),
            ("traefik.http.routers.lost.rule", "Host(`b.test`)"),
            ("traefik.http.services.ui.loadbalancer.server.port", "3000"),
            ("traefik.http.services.api.loadbalancer.server.port", "8080"));

        Assert.Equal(["router lost: several Traefik services and no .service label says which port of the tasks it sends to"], translation.Errors.ToArray());
        Assert.Equal("3000", translation.Labels["swarmedge.http.routers.ui.port"]);
        Assert.Equal("8080", translation.Labels["swarmedge.http.routers.api.port"]);
    }

    [Fact]
    public void A_service_with_a_port_and_no_router_is_reached_by_its_name_as_the_routing_policy_says()
    {
        var result = ServiceLabelParser.Parse(Labels(("traefik.enable", "true"), ("traefik.http.services.s.loadbalancer.server.port", "80")));

        Assert.Empty(result.Errors);
        Assert.Equal(80, result.Routing!.HttpPort);
        Assert.True(Assert.Single(result.Routing.Routes).ByServiceName);
    }

    [Fact]
    public void Opting_out_and_swarmedge_labels_win()
    {
        Assert.False(ServiceLabelParser.Parse(Labels(("traefik.enable", "false"), ("traefik.http.routers.r.rule", "Host(`a.test`)"))).Enabled);
        Assert.Equal(["label traefik.enable=\"yes\": must be true or false"], ServiceLabelParser.Parse(Labels(("traefik.enable", "yes"))).Errors.ToArray());

        // A team that labelled for both: SwarmEdge's labels are what SwarmEdge reads.
        var both = ServiceLabelParser.Parse(Routed(("swarmedge.http.host", "mine.test"), ("traefik.enable", "true"), ("traefik.http.routers.r.rule", "Host(`other.test`)")));
        Assert.Equal(["mine.test"], Assert.Single(both.Routing!.Routes).Hosts.ToArray());
    }
}
