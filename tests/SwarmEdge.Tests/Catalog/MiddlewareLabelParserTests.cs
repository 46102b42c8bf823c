using System.Collections.Immutable;
using SwarmEdge.Catalog;
using static SwarmEdge.Tests.TestData;

namespace SwarmEdge.Tests.Catalog;

public class MiddlewareLabelParserTests
{
    private static (ImmutableArray<Middleware> Middlewares, ImmutableArray<string> Errors) Parse(params (string Key, string Value)[] labels)
    {
        var errors = ImmutableArray.CreateBuilder<string>();
        var middlewares = MiddlewareLabelParser.Parse(Labels(labels), errors);
        return (middlewares, errors.ToImmutable());
    }

    [Fact]
    public void Each_kind_is_read_with_its_options()
    {
        var (middlewares, errors) = Parse(
            ("swarmedge.middlewares.office.ip-allow.source-range", "10.1.0.0/16, 192.168.1.7 ,fd00::/8"),
            ("swarmedge.middlewares.Admin.basic-auth.users-file", "/run/secrets/admin_users"),
            ("swarmedge.middlewares.admin.basic-auth.realm", "ops"),
            ("swarmedge.middlewares.old.redirect-regex.regex", "^https?://old\\.test/(.*)"),
            ("swarmedge.middlewares.old.redirect-regex.replacement", "https://new.test/$1"),
            ("swarmedge.middlewares.old.redirect-regex.permanent", "true"),
            ("swarmedge.middlewares.busy.in-flight.limit", "100"),
            ("swarmedge.middlewares.sso.forward-auth.address", "http://authelia:9091/api/authz/forward-auth"),
            ("swarmedge.middlewares.sso.forward-auth.auth-response-headers", "Remote-User, Remote-Groups,remote-user"),
            ("swarmedge.middlewares.sec.headers.response.set.X-Frame-Options", "DENY"),
            ("swarmedge.middlewares.sec.headers.response.remove", "Server, X-Powered-By"),
            ("swarmedge.middlewares.sec.headers.request.append.X-Team", "shop"),
            ("swarmedge.middlewares.api.strip-prefix.prefixes", "/api/,/v1"),
            ("swarmedge.middlewares.v2.add-prefix.prefix", "/v2"),
            ("swarmedge.middlewares.users.replace-path-regex.regex", "^/u/([0-9]+)$"),
            ("swarmedge.middlewares.users.replace-path-regex.replacement", "/users/$1"),
            ("swarmedge.middlewares.api-rate.rate-limit.rate", "100/s"),
            ("swarmedge.middlewares.key-rate.rate-limit.rate", "600/m"),
            ("swarmedge.middlewares.key-rate.rate-limit.burst", "20"),
            ("swarmedge.middlewares.key-rate.rate-limit.header", "X-Api-Key"),
            ("swarmedge.middlewares.gz.compress", "true"),
            ("swarmedge.middlewares.gz-text.compress.content-types", "text/*, Application/JSON"),
            ("swarmedge.middlewares.gz-text.compress.excluded-content-types", "text/event-stream"),
            ("swarmedge.middlewares.web.cors.allow-origins", "https://App.example.com/, https://*.shop.test"),
            ("swarmedge.middlewares.web.cors.allow-methods", "get,put"),
            ("swarmedge.middlewares.web.cors.allow-headers", "X-Token"),
            ("swarmedge.middlewares.web.cors.expose-headers", "X-Trace"),
            ("swarmedge.middlewares.web.cors.allow-credentials", "true"),
            ("swarmedge.middlewares.web.cors.max-age", "10m"),
            ("swarmedge.middlewares.public.cors.allow-origins", "*"));

        Assert.Empty(errors);
        Assert.Equal(
        [
            new BasicAuthMiddleware("admin", "/run/secrets/admin_users", "ops", false),
            new StripPrefixMiddleware("api", ["/api", "/v1"]),
            new RateLimitMiddleware("api-rate", new RequestRate(100, TimeSpan.FromSeconds(1)), 100, null),
            new InFlightMiddleware("busy", 100),
            new CompressMiddleware("gz", [], []),
            new CompressMiddleware("gz-text", ["text/*", "application/json"], ["text/event-stream"]),
            new RateLimitMiddleware("key-rate", new RequestRate(600, TimeSpan.FromMinutes(1)), 20, "X-Api-Key"),
            new IpAllowMiddleware("office", ["10.1.0.0/16", "192.168.1.7/32", "fd00::/8"]),
            new RedirectRegexMiddleware("old", "^https?://old\\.test/(.*)", "https://new.test/$1", true),
            new CorsMiddleware("public", ["*"], ["GET", "HEAD", "POST"], [], [], false, null),
            new HeadersMiddleware("sec",
                [new HeaderChange("X-Team", HeaderAction.Append, "shop")],
                [new HeaderChange("Server", HeaderAction.Remove, null), new HeaderChange("X-Powered-By", HeaderAction.Remove, null), new HeaderChange("X-Frame-Options", HeaderAction.Set, "DENY")]),
            new ForwardAuthMiddleware("sso", "http://authelia:9091/api/authz/forward-auth", ["Remote-User", "Remote-Groups"], []),
            new ReplacePathRegexMiddleware("users", "^/u/([0-9]+)$", "/users/$1"),
            new AddPrefixMiddleware("v2", "/v2"),
            new CorsMiddleware("web", ["https://app.example.com", "https://*.shop.test"], ["GET", "PUT"], ["X-Token"], ["X-Trace"], true, TimeSpan.FromMinutes(10)),
        ], middlewares.ToArray());
        Assert.All(middlewares, m => Assert.Equal(m is not (HeadersMiddleware or StripPrefixMiddleware or AddPrefixMiddleware or ReplacePathRegexMiddleware), m.IsGate));
    }

    [Theory]
    [InlineData("swarmedge.middlewares.x.gzip.level", "9", "unknown middleware kind 'gzip'")]
    [InlineData("swarmedge.middlewares.x", "1", "is declared as swarmedge.middlewares.<name>.<kind>.<option>")]
    [InlineData("swarmedge.middlewares.x y.in-flight.limit", "1", "is declared as")]
    [InlineData("swarmedge.middlewares.x.in-flight.limit", "0", "from 1 to 1000000")]
    [InlineData("swarmedge.middlewares.x.in-flight.max", "3", "unknown option: this kind takes limit")]
    [InlineData("swarmedge.middlewares.x.ip-allow.source-range", "everyone", "is neither an address")]
    [InlineData("swarmedge.middlewares.x.basic-auth.users-file", "/etc/passwd", "must be a Docker secret given to the edge, /run/secrets/<name>")]
    [InlineData("swarmedge.middlewares.x.basic-auth.users-file", "/run/secrets/../../etc/shadow", "must be a Docker secret")]
    [InlineData("swarmedge.middlewares.x.headers.request.set.Host", "evil.test", "header Host is not one a middleware may change")]
    [InlineData("swarmedge.middlewares.x.headers.request.set.X-Forwarded-For", "1.2.3.4", "header X-Forwarded-For is not one")]
    [InlineData("swarmedge.middlewares.x.headers.response.remove", "Transfer-Encoding", "header Transfer-Encoding is not one")]
    [InlineData("swarmedge.middlewares.x.headers.response.set.X-A", "a\r\nSet-Cookie: s=1", "no line breaks")]
    [InlineData("swarmedge.middlewares.x.headers.response.set.Bad Name", "v", "'Bad Name' is not a header name")]
    [InlineData("swarmedge.middlewares.x.headers.both.set.X-A", "v", "a headers middleware takes")]
    [InlineData("swarmedge.middlewares.x.strip-prefix.prefixes", "/", "must be a comma-separated list of path prefixes")]
    [InlineData("swarmedge.middlewares.x.add-prefix.prefix", "v1", "must be a path prefix")]
    [InlineData("swarmedge.middlewares.x.forward-auth.address", "http://localhost:8081/", "naming the auth service by its host name")]
    [InlineData("swarmedge.middlewares.x.forward-auth.address", "http://127.0.0.1:8081/", "naming the auth service by its host name")]
    [InlineData("swarmedge.middlewares.x.forward-auth.address", "http://169.254.169.254/latest/meta-data/", "naming the auth service by its host name")]
    [InlineData("swarmedge.middlewares.x.forward-auth.address", "http://[::1]/", "naming the auth service by its host name")]
    [InlineData("swarmedge.middlewares.x.forward-auth.address", "http://user:pw@auth/", "without credentials")]
    [InlineData("swarmedge.middlewares.x.forward-auth.address", "file:///etc/passwd", "must be an http or https URL")]
    [InlineData("swarmedge.middlewares.x.forward-auth.address", "auth:9091", "must be an http or https URL")]
    [InlineData("swarmedge.middlewares.x.forward-auth.auth-response-headers", "Host", "needs swarmedge.middlewares.x.forward-auth.address")]
    [InlineData("swarmedge.middlewares.x.rate-limit.rate", "100", "such as 100/s or 600/m")]
    [InlineData("swarmedge.middlewares.x.rate-limit.rate", "0/s", "such as 100/s or 600/m")]
    [InlineData("swarmedge.middlewares.x.rate-limit.burst", "5", "needs swarmedge.middlewares.x.rate-limit.rate")]
    [InlineData("swarmedge.middlewares.x.compress", "false", "must be true")]
    [InlineData("swarmedge.middlewares.x.compress.content-types", "html", "media types such as")]
    [InlineData("swarmedge.middlewares.x.compress.level", "9", "unknown option: this kind takes content-types, excluded-content-types")]
    [InlineData("swarmedge.middlewares.x.cors.allow-origins", "https://a.test/path", "origins such as")]
    [InlineData("swarmedge.middlewares.x.cors.allow-origins", "*, https://a.test", "must be * or")]
    [InlineData("swarmedge.middlewares.x.cors.allow-origins", "javascript:alert(1)", "must be * or")]
    [InlineData("swarmedge.middlewares.x.cors.allow-methods", "GET\r\n", "needs swarmedge.middlewares.x.cors.allow-origins")]
    public void A_broken_declaration_is_an_error_naming_the_label(string key, string value, string error)
    {
        var (middlewares, errors) = Parse((key, value));

        Assert.Empty(middlewares);
        Assert.Contains(errors, e => e.Contains(error, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("100/s", null, "X-Forwarded-For", "cannot be counted by")]
    [InlineData("100/s", null, "Bad Header", "is not a header name")]
    [InlineData("100/s", "0", null, "from 1 to 1000000")]
    public void A_rate_limit_counts_only_by_what_it_may(string rate, string? burst, string? header, string error)
    {
        var labels = new List<(string, string)> { ("swarmedge.middlewares.x.rate-limit.rate", rate) };
        if (burst is not null) labels.Add(("swarmedge.middlewares.x.rate-limit.burst", burst));
        if (header is not null) labels.Add(("swarmedge.middlewares.x.rate-limit.header", header));

        var (middlewares, errors) = Parse([.. labels]);

        Assert.Empty(middlewares);
        Assert.Contains(errors, e => e.Contains(error, StringComparison.Ordinal));
    }

    [Fact]
    public void Cors_never_allows_credentials_for_any_origin()
    {
        var (middlewares, errors) = Parse(
            ("swarmedge.middlewares.x.cors.allow-origins", "*"),
            ("swarmedge.middlewares.x.cors.allow-credentials", "true"));

        Assert.Empty(middlewares);
        Assert.Contains(errors, e => e.Contains("credentials cannot be allowed for any origin", StringComparison.Ordinal));
    }

    [Fact]
    public void A_pattern_that_would_backtrack_is_refused_and_one_that_runs_in_linear_time_is_taken()
    {
        var (_, backreference) = Parse(("swarmedge.middlewares.x.replace-path-regex.regex", "^/(a)\\1$"), ("swarmedge.middlewares.x.replace-path-regex.replacement", "/b"));
        var (taken, nested) = Parse(("swarmedge.middlewares.x.replace-path-regex.regex", "^/(a+)+$"), ("swarmedge.middlewares.x.replace-path-regex.replacement", "/b"));

        Assert.Contains(backreference, e => e.Contains("no backreferences, lookarounds or atomic groups", StringComparison.Ordinal));
        Assert.Empty(nested);
        // The classic catastrophic pattern on a hostile path: linear, so it answers at once.
        var regex = MiddlewareLabelParser.Compile(((ReplacePathRegexMiddleware)taken[0]).Pattern);
        var started = System.Diagnostics.Stopwatch.StartNew();
        Assert.DoesNotMatch(regex, "/" + new string('a', 100_000) + "!");
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(1), $"took {started.Elapsed}");
    }

    [Fact]
    public void A_range_written_with_bits_past_its_prefix_means_its_network_as_Traefik_reads_it()
    {
        var (middlewares, errors) = Parse(("swarmedge.middlewares.x.ip-allow.source-range", "10.1.2.3/16"));

        Assert.Empty(errors);
        Assert.Equal(["10.1.0.0/16"], ((IpAllowMiddleware)middlewares.Single()).Ranges.ToArray());
    }

    [Fact]
    public void Forward_auth_may_not_copy_headers_that_frame_or_route_the_request_or_carry_the_clients_address()
    {
        var (middlewares, errors) = Parse(
            ("swarmedge.middlewares.sso.forward-auth.address", "https://auth.example.com/verify"),
            ("swarmedge.middlewares.sso.forward-auth.auth-response-headers", "Remote-User,X-Forwarded-For"));

        Assert.Empty(middlewares);
        Assert.Contains(errors, e => e.Contains("header X-Forwarded-For is not one a middleware may change", StringComparison.Ordinal));
    }

    [Fact]
    public void A_name_declared_as_two_kinds_and_options_missing_are_errors()
    {
        var (middlewares, errors) = Parse(
            ("swarmedge.middlewares.x.in-flight.limit", "5"),
            ("swarmedge.middlewares.x.add-prefix.prefix", "/v1"),
            ("swarmedge.middlewares.y.redirect-regex.regex", "^http://(.*)"));

        Assert.Empty(middlewares);
        Assert.Contains("middleware 'x' is declared as add-prefix and in-flight: a middleware is of one kind (declare one of each)", errors);
        Assert.Contains("middleware 'y' (redirect-regex) needs swarmedge.middlewares.y.redirect-regex.replacement", errors);
    }

    [Theory]
    [InlineData("a, B ,c", new[] { "a", "b", "c" }, null)]
    [InlineData("a,a", new string[0], "different middleware names")]
    [InlineData("", new string[0], "different middleware names")]
    [InlineData("a@file, b", new[] { "a@file", "b" }, null)]
    [InlineData("a@docker", new string[0], "different middleware names")]
    [InlineData("@file", new string[0], "different middleware names")]
    [InlineData("a@file@file", new string[0], "different middleware names")]
    public void A_chain_is_names_in_order(string value, string[] names, string? error)
    {
        var errors = ImmutableArray.CreateBuilder<string>();

        var chain = MiddlewareLabelParser.ParseChain("swarmedge.http.middlewares", value, errors);

        Assert.Equal(names, chain.ToArray());
        if (error is null)
        {
            Assert.Empty(errors);
        }
        else
        {
            Assert.Contains(errors, e => e.Contains(error, StringComparison.Ordinal));
        }
    }
}
