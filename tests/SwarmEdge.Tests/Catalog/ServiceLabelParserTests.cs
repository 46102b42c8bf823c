using System.Collections.Immutable;
using SwarmEdge.Catalog;
using static SwarmEdge.Tests.TestData;

namespace SwarmEdge.Tests.Catalog;

public class ServiceLabelParserTests
{
    private const string PathProblem = "must be a path prefix that starts with '/' and holds no spaces, '{', '}', '?', '#', '*' or '//'";
    private const string RouterNameProblem = "router names use letters, digits, '-' and '_' and are not 'default'";

    private static LabelParseResult Parse(ImmutableDictionary<string, string> labels) => ServiceLabelParser.Parse(labels);

    private static readonly HttpRoute ByName = new("default", [], null, null, false, ByServiceName: true);

    private static HttpRoute Route(string name, string[] hosts, string? path = null, int? priority = null, bool strip = false) =>
        new(name, [.. hosts], path, priority, strip);

    /// <summary>A label problem: the service is enabled, unrouted, and the one error names key and value.</summary>
    private static void AssertSingleError(LabelParseResult result, string expected)
    {
        Assert.True(result.Enabled);
        Assert.Null(result.Routing);
        Assert.Equal([expected], result.Errors.ToArray());
    }

    // ---- opting in and out ----

    [Fact]
    public void No_enable_label_means_not_enabled_and_no_errors_even_with_other_swarmedge_labels()
    {
        var result = Parse(Labels(("swarmedge.http.port", "nope"), ("swarmedge.http.host", "bad host")));

        Assert.False(result.Enabled);
        Assert.Null(result.Routing);
        Assert.Empty(result.Errors);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void Enable_false_means_not_enabled_and_other_labels_are_not_checked()
    {
        var result = Parse(Routed(("swarmedge.enable", "false"), ("swarmedge.http.port", "nope")));

        Assert.False(result.Enabled);
        Assert.Null(result.Routing);
        Assert.Empty(result.Errors);
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("1")]
    [InlineData("")]
    public void Enable_that_is_not_a_bool_is_an_error_and_not_enabled(string value)
    {
        var result = Parse(Routed(("swarmedge.enable", value)));

        Assert.False(result.Enabled);
        Assert.Null(result.Routing);
        Assert.Equal([$"label swarmedge.enable=\"{value}\": must be true or false"], result.Errors.ToArray());
    }

    [Theory]
    [InlineData("True")]
    [InlineData(" true ")]
    public void Enable_is_case_insensitive_and_trimmed(string value)
    {
        var result = Parse(Routed(("swarmedge.enable", value)));

        Assert.True(result.Enabled);
        Assert.NotNull(result.Routing);
    }

    // ---- port ----

    [Fact]
    public void Missing_port_is_an_error_naming_the_label()
    {
        var result = Parse(Labels(("swarmedge.enable", "true")));

        AssertSingleError(result, "label swarmedge.http.port is missing: it names the port the service's tasks listen on");
    }

    [Theory]
    [InlineData("http")]
    [InlineData("0")]
    [InlineData("65536")]
    [InlineData("-1")]
    [InlineData("+80")]
    [InlineData("80.5")]
    [InlineData("")]
    public void Bad_port_is_an_error_naming_label_and_value(string value)
    {
        var result = Parse(Routed(("swarmedge.http.port", value)));

        AssertSingleError(result, $"label swarmedge.http.port=\"{value}\": must be a port number from 1 to 65535");
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("65535", 65535)]
    [InlineData(" 8080 ", 8080)]
    public void Port_in_range_is_read(string value, int expected)
    {
        var result = Parse(Routed(("swarmedge.http.port", value)));

        Assert.Equal(expected, result.Routing!.HttpPort);
    }

    // ---- default route ----

    [Fact]
    public void Without_routing_labels_the_default_route_is_left_to_the_routing_policy()
    {
        var result = Parse(Routed());

        Assert.True(result.Enabled);
        Assert.Empty(result.Errors);
        Assert.Empty(result.Warnings);
        Assert.Equal(
            new ServiceRouting(8080, null, null, [new HttpRoute("default", [], null, null, false, ByServiceName: true)]),
            result.Routing);
    }

    // ---- hosts ----

    [Fact]
    public void Host_list_is_trimmed_lowercased_and_deduplicated_ignoring_case()
    {
        var result = Parse(Routed(("swarmedge.http.host", "Shop.Example.com, shop.example.COM ,www.example.com,*.example.org,api.example.com:8443")));

        Assert.Empty(result.Errors);
        Assert.Equal(
            [Route("default", ["shop.example.com", "www.example.com", "*.example.org", "api.example.com:8443"])],
            result.Routing!.Routes.ToArray());
    }

    [Theory]
    [InlineData("a.example.com,bad host.com", "bad host.com")]
    [InlineData("-a.example.com", "-a.example.com")]
    [InlineData("a..example.com", "a..example.com")]
    [InlineData("a.example.com,", "")]
    [InlineData("http://a.example.com", "http://a.example.com")]
    [InlineData("a.example.com/x", "a.example.com/x")]
    [InlineData("a.example.com:https", "a.example.com:https")]
    [InlineData("*a.example.com", "*a.example.com")]
    public void Bad_host_in_a_list_is_an_error_naming_label_value_and_the_bad_host(string value, string badHost)
    {
        var result = Parse(Routed(("swarmedge.http.host", value)));

        AssertSingleError(result,
            $"label swarmedge.http.host=\"{value}\": '{badHost}' is not a host name " +
            "(letters, digits, '-', '_' and dots, optionally '*.' in front and ':port' behind)");
    }

    // ---- paths ----

    [Theory]
    [InlineData("/api/", "/api")]
    [InlineData("/api", "/api")]
    [InlineData(" /api/v1/ ", "/api/v1")]
    [InlineData("/", "/")]
    [InlineData("/a-b_c.d~e/@x:y", "/a-b_c.d~e/@x:y")]
    public void Path_is_trimmed_and_loses_its_trailing_slash(string value, string expected)
    {
        var result = Parse(Routed(("swarmedge.http.path", value)));

        Assert.Empty(result.Errors);
        var route = Assert.Single(result.Routing!.Routes);
        Assert.Equal(expected, route.PathPrefix);
        Assert.Empty(route.Hosts);
    }

    [Theory]
    [InlineData("api")]
    [InlineData("")]
    [InlineData("/my api")]
    [InlineData("/api/{id}")]
    [InlineData("/api}")]
    [InlineData("/api?x=1")]
    [InlineData("/api#top")]
    [InlineData("/api//v1")]
    [InlineData("/api//")]
    [InlineData("/api/*")]
    [InlineData("//api")]
    [InlineData("//")]
    public void Bad_path_is_an_error_naming_label_and_value(string value)
    {
        var result = Parse(Routed(("swarmedge.http.path", value)));

        AssertSingleError(result, $"label swarmedge.http.path=\"{value}\": {PathProblem}");
    }

    [Fact]
    public void Bad_path_on_a_named_router_names_that_router_s_label()
    {
        var result = Parse(Routed(("swarmedge.http.routers.api.path", "v1")));

        AssertSingleError(result, $"label swarmedge.http.routers.api.path=\"v1\": {PathProblem}");
    }

    // ---- priority ----

    [Theory]
    [InlineData("10", 10)]
    [InlineData("-5", -5)]
    [InlineData(" 7 ", 7)]
    [InlineData("100000", 100_000)]
    [InlineData("-100000", -100_000)]
    public void Priority_is_read(string value, int expected)
    {
        var result = Parse(Routed(("swarmedge.http.priority", value)));

        Assert.Equal(expected, Assert.Single(result.Routing!.Routes).Priority);
    }

    [Theory]
    [InlineData("high")]
    [InlineData("1.5")]
    [InlineData("")]
    [InlineData("100001")]
    [InlineData("-100001")]
    [InlineData("99999999999")]
    public void Bad_or_out_of_range_priority_is_an_error_naming_label_and_value(string value)
    {
        var result = Parse(Routed(("swarmedge.http.priority", value)));

        AssertSingleError(result, $"label swarmedge.http.priority=\"{value}\": must be a whole number from -100000 to 100000");
    }

    // ---- strip-prefix ----

    [Fact]
    public void Strip_prefix_with_a_path_is_kept()
    {
        var result = Parse(Routed(("swarmedge.http.path", "/api/"), ("swarmedge.http.strip-prefix", "true")));

        Assert.Empty(result.Warnings);
        Assert.Equal([Route("default", [], "/api", strip: true)], result.Routing!.Routes.ToArray());
    }

    [Fact]
    public void Bad_strip_prefix_is_an_error_naming_label_and_value()
    {
        var result = Parse(Routed(("swarmedge.http.path", "/api"), ("swarmedge.http.strip-prefix", "yes")));

        AssertSingleError(result, "label swarmedge.http.strip-prefix=\"yes\": must be true or false");
    }

    [Fact]
    public void Strip_prefix_without_a_path_is_a_warning_and_is_turned_off()
    {
        var result = Parse(Routed(("swarmedge.http.strip-prefix", "true")));

        Assert.Empty(result.Errors);
        Assert.Equal(["label swarmedge.http.strip-prefix has no effect without a path prefix"], result.Warnings.ToArray());
        Assert.Equal([ByName], result.Routing!.Routes.ToArray());
    }

    [Fact]
    public void Strip_prefix_with_the_root_path_on_a_named_router_is_a_warning_and_is_turned_off()
    {
        var result = Parse(Routed(
            ("swarmedge.http.routers.api.host", "api.example.com"),
            ("swarmedge.http.routers.api.path", "/"),
            ("swarmedge.http.routers.api.strip-prefix", "true")));

        Assert.Empty(result.Errors);
        Assert.Equal(["label swarmedge.http.routers.api.strip-prefix has no effect without a path prefix"], result.Warnings.ToArray());
        Assert.Equal([Route("api", ["api.example.com"], "/")], result.Routing!.Routes.ToArray());
    }

    // ---- routers ----

    [Fact]
    public void Several_routers_are_read_in_name_order_without_a_default_route()
    {
        var result = Parse(Routed(
            ("swarmedge.http.routers.api.host", "api.example.com"),
            ("swarmedge.http.routers.api.path", "/v1/"),
            ("swarmedge.http.routers.api.priority", "10"),
            ("swarmedge.http.routers.api.strip-prefix", "true"),
            ("swarmedge.http.routers.admin_2.path", "/admin")));

        Assert.Empty(result.Errors);
        Assert.Empty(result.Warnings);
        Assert.Equal(
            [Route("admin_2", [], "/admin"), Route("api", ["api.example.com"], "/v1", 10, strip: true)],
            result.Routing!.Routes.ToArray());
    }

    [Fact]
    public void Default_router_comes_alongside_routers_when_http_host_is_set()
    {
        var result = Parse(Routed(
            ("swarmedge.http.host", "www.example.com"),
            ("swarmedge.http.routers.api.path", "/api")));

        Assert.Empty(result.Errors);
        Assert.Equal(
            [Route("default", ["www.example.com"]), Route("api", [], "/api")],
            result.Routing!.Routes.ToArray());
    }

    [Fact]
    public void Default_router_comes_alongside_routers_when_http_path_is_set()
    {
        var result = Parse(Routed(
            ("swarmedge.http.path", "/"),
            ("swarmedge.http.routers.api.host", "api.example.com")));

        Assert.Empty(result.Errors);
        Assert.Equal(
            [Route("default", [], "/"), Route("api", ["api.example.com"])],
            result.Routing!.Routes.ToArray());
    }

    [Theory]
    [InlineData("swarmedge.http.routers.api.hosts", "api.example.com")]
    [InlineData("swarmedge.http.routers.api.rule", "Host(`a`)")]
    [InlineData("swarmedge.http.routers.api", "api.example.com")]
    public void Unknown_router_key_is_an_error_naming_label_and_value(string key, string value)
    {
        var result = Parse(Routed((key, value)));

        AssertSingleError(result, $"label {key}=\"{value}\": unknown router key: a router takes host, path, exact-path, methods, headers, priority, strip-prefix, scheme, https-redirect, hsts, acme, middlewares, port, max-body-size, timeout");
    }

    [Theory]
    [InlineData("swarmedge.http.routers.my.api.host")]
    [InlineData("swarmedge.http.routers.my api.host")]
    [InlineData("swarmedge.http.routers.caf\u00e9.host")]
    [InlineData("swarmedge.http.routers.default.host")]
    public void Bad_router_name_or_a_router_named_default_is_an_error_naming_label_and_value(string key)
    {
        var result = Parse(Routed((key, "api.example.com")));

        AssertSingleError(result, $"label {key}=\"api.example.com\": {RouterNameProblem}");
    }

    [Fact]
    public void Router_with_neither_host_nor_path_is_an_error_naming_its_labels()
    {
        var result = Parse(Routed(("swarmedge.http.routers.api.priority", "5")));

        AssertSingleError(result,
            "router 'api' has neither swarmedge.http.routers.api.host nor swarmedge.http.routers.api.path: it would match nothing");
    }

    // ---- load balancing ----

    [Theory]
    [InlineData("round-robin", "RoundRobin")]
    [InlineData("Least-Requests", "LeastRequests")]
    [InlineData("power-of-two-choices", "PowerOfTwoChoices")]
    [InlineData(" random ", "Random")]
    [InlineData("first", "FirstAlphabetical")]
    public void Load_balancing_label_maps_to_the_yarp_policy(string value, string policy)
    {
        var result = Parse(Routed(("swarmedge.http.lb", value)));

        Assert.Equal(policy, result.Routing!.LoadBalancingPolicy);
    }

    [Fact]
    public void Without_load_balancing_label_the_policy_is_left_to_the_default()
    {
        Assert.Null(Parse(Routed()).Routing!.LoadBalancingPolicy);
    }

    [Theory]
    [InlineData("weighted")]
    [InlineData("RoundRobin")]
    [InlineData("")]
    public void Bad_load_balancing_label_is_an_error_naming_label_value_and_choices(string value)
    {
        var result = Parse(Routed(("swarmedge.http.lb", value)));

        AssertSingleError(result,
            $"label swarmedge.http.lb=\"{value}\": must be one of round-robin, least-requests, power-of-two-choices, random, first");
    }

    // ---- network ----

    [Fact]
    public void Network_label_is_trimmed()
    {
        Assert.Equal("backend", Parse(Routed(("swarmedge.network", " backend "))).Routing!.Network);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("my net")]
    public void Bad_network_label_is_an_error_naming_label_and_value(string value)
    {
        var result = Parse(Routed(("swarmedge.network", value)));

        AssertSingleError(result, $"label swarmedge.network=\"{value}\": must be the name or ID of one network the service is on");
    }

    // ---- several problems, warnings ----

    [Fact]
    public void Every_problem_is_reported_and_the_service_gets_no_routing()
    {
        var result = Parse(Routed(("swarmedge.http.port", "0"), ("swarmedge.http.lb", "weighted"), ("swarmedge.http.priority", "x")));

        Assert.True(result.Enabled);
        Assert.Null(result.Routing);
        Assert.Equal(3, result.Errors.Length);
        Assert.Contains(result.Errors, e => e.StartsWith("label swarmedge.http.port=\"0\"", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.StartsWith("label swarmedge.http.lb=\"weighted\"", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.StartsWith("label swarmedge.http.priority=\"x\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_swarmedge_labels_are_warnings_in_key_order_and_other_labels_are_ignored()
    {
        var result = Parse(Routed(
            ("swarmedge.http.hosts", "www.example.com"),
            ("swarmedge.debug", "true"),
            ("com.docker.stack.namespace", "shop"),
            ("traefik.enable", "true")));

        Assert.Empty(result.Errors);
        Assert.Equal(
            ["label swarmedge.debug is not a SwarmEdge label and is ignored",
             "label swarmedge.http.hosts is not a SwarmEdge label and is ignored"],
            result.Warnings.ToArray());
        Assert.Equal([ByName], result.Routing!.Routes.ToArray());
    }

    // ---- regressions: inputs that passed the parser but broke the proxy ----

    [Fact]
    public void Router_names_that_differ_only_in_case_are_an_error_since_route_ids_ignore_case()
    {
        var result = Parse(Routed(
            ("swarmedge.http.routers.api.host", "a.example.com"),
            ("swarmedge.http.routers.API.host", "b.example.com")));

        AssertSingleError(result,
            "label swarmedge.http.routers.api.host=\"a.example.com\": router 'api' differs from router 'API' only in case; router names ignore case");
    }

    [Fact]
    public void Router_named_Default_in_any_case_is_an_error()
    {
        var result = Parse(Routed(("swarmedge.http.routers.Default.host", "a.example.com")));

        AssertSingleError(result, $"label swarmedge.http.routers.Default.host=\"a.example.com\": {RouterNameProblem}");
    }

    [Fact]
    public void Router_names_become_lower_case_route_names_read_from_labels_as_spelled()
    {
        var result = Parse(Routed(("swarmedge.http.routers.Api.host", "a.example.com"), ("swarmedge.http.routers.Api.path", "/x")));

        Assert.Empty(result.Errors);
        Assert.Equal([Route("api", ["a.example.com"], "/x")], result.Routing!.Routes.ToArray());
    }

    [Fact]
    public void Router_name_with_a_trailing_newline_is_an_error()
    {
        var result = Parse(Routed(("swarmedge.http.routers.api\n.host", "a.example.com")));

        AssertSingleError(result, $"label swarmedge.http.routers.api\n.host=\"a.example.com\": {RouterNameProblem}");
    }

    [Fact]
    public void Priority_or_strip_prefix_alone_beside_routers_adds_no_default_route_and_warns()
    {
        var result = Parse(Routed(("swarmedge.http.priority", "5"), ("swarmedge.http.routers.api.host", "a.example.com")));

        Assert.Empty(result.Errors);
        Assert.Equal([Route("api", ["a.example.com"])], result.Routing!.Routes.ToArray());
        Assert.Equal(
            ["label swarmedge.http.priority has no effect: the service declares routers and neither swarmedge.http.host nor swarmedge.http.path"],
            result.Warnings.ToArray());
    }

    [Fact]
    public void Punycode_host_is_an_error_asking_for_the_unicode_name()
    {
        var result = Parse(Routed(("swarmedge.http.host", "xn--bcher-kva.example")));

        AssertSingleError(result,
            "label swarmedge.http.host=\"xn--bcher-kva.example\": 'xn--bcher-kva.example' is punycode: write the host name in Unicode (the proxy matches the decoded name)");
    }

    [Fact]
    public void Unicode_host_is_accepted_lower_cased()
    {
        var result = Parse(Routed(("swarmedge.http.host", "B\u00fccher.example")));

        Assert.Empty(result.Errors);
        Assert.Equal(["b\u00fccher.example"], result.Routing!.Routes.Single().Hosts.ToArray());
    }

    // ---- retries and active health checks ----

    [Fact]
    public void Retry_labels_are_read_and_methods_normalised()
    {
        var result = Parse(Routed(("swarmedge.http.retry.attempts", "4"), ("swarmedge.http.retry.methods", "get, Put,GET")));

        Assert.Empty(result.Errors);
        Assert.Equal(new RetrySettings(4, "GET,PUT"), result.Routing!.Retry);
    }

    [Fact]
    public void Without_retry_labels_the_configured_defaults_apply()
    {
        Assert.Null(Parse(Routed()).Routing!.Retry);
    }

    [Theory]
    [InlineData("swarmedge.http.retry.attempts", "0", "must be a whole number from 1 (no retry) to 10")]
    [InlineData("swarmedge.http.retry.attempts", "11", "must be a whole number from 1 (no retry) to 10")]
    [InlineData("swarmedge.http.retry.attempts", "three", "must be a whole number from 1 (no retry) to 10")]
    [InlineData("swarmedge.http.retry.methods", "GET,,HEAD", "must be a comma-separated list of HTTP methods, such as GET,HEAD,PUT")]
    [InlineData("swarmedge.http.retry.methods", "GET HEAD", "must be a comma-separated list of HTTP methods, such as GET,HEAD,PUT")]
    [InlineData("swarmedge.http.healthcheck.interval", "5", "must be a duration from 100ms to 1h, such as 500ms, 5s or 1m30s")]
    [InlineData("swarmedge.http.healthcheck.interval", "50ms", "must be a duration from 100ms to 1h, such as 500ms, 5s or 1m30s")]
    [InlineData("swarmedge.http.healthcheck.interval", "2h", "must be a duration from 100ms to 1h, such as 500ms, 5s or 1m30s")]
    [InlineData("swarmedge.http.healthcheck.timeout", "1.5s", "must be a duration from 100ms to 1h, such as 500ms, 5s or 1m30s")]
    [InlineData("swarmedge.http.healthcheck.unhealthy-threshold", "0", "must be a whole number from 1 to 100")]
    [InlineData("swarmedge.http.stall-timeout", "off", "must be 0 (off) or a duration from 100ms to 1h, such as 500ms, 5s or 1m30s")]
    [InlineData("swarmedge.http.stall-timeout", "10ms", "must be 0 (off) or a duration from 100ms to 1h, such as 500ms, 5s or 1m30s")]
    [InlineData("swarmedge.http.stall-timeout", "-1s", "must be 0 (off) or a duration from 100ms to 1h, such as 500ms, 5s or 1m30s")]
    [InlineData("swarmedge.http.healthcheck.path", "healthz", "must be a path that starts with '/' and holds no spaces, '{', '}', '?', '#', '*' or '//'")]
    public void Bad_retry_or_health_check_label_is_an_error_naming_label_and_value(string key, string value, string problem)
    {
        var labels = Routed(("swarmedge.http.healthcheck.path", "/healthz")).SetItem(key, value);

        AssertSingleError(Parse(labels), $"label {key}=\"{value}\": {problem}");
    }

    [Fact]
    public void Health_check_path_turns_active_checks_on_with_defaults()
    {
        Assert.Equal(new ActiveHealthCheck("/healthz", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2), 2),
            Parse(Routed(("swarmedge.http.healthcheck.path", "/healthz"))).Routing!.HealthCheck);
    }

    [Fact]
    public void Health_check_tuning_is_read_with_docker_style_durations()
    {
        var result = Parse(Routed(
            ("swarmedge.http.healthcheck.path", "/ready"),
            ("swarmedge.http.healthcheck.interval", "1m30s"),
            ("swarmedge.http.healthcheck.timeout", "750ms"),
            ("swarmedge.http.healthcheck.unhealthy-threshold", "3")));

        Assert.Equal(new ActiveHealthCheck("/ready", TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(750), 3), result.Routing!.HealthCheck);
    }

    [Fact]
    public void Health_check_tuning_without_a_path_is_a_warning()
    {
        var result = Parse(Routed(("swarmedge.http.healthcheck.interval", "5s")));

        Assert.Empty(result.Errors);
        Assert.Null(result.Routing!.HealthCheck);
        Assert.Equal(["label swarmedge.http.healthcheck.interval has no effect without swarmedge.http.healthcheck.path"], result.Warnings.ToArray());
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData(" 0 ", 0)]
    [InlineData("0s", null)] // a duration must be 100ms or more: "0" alone is the way to say off
    [InlineData("2s", 2000)]
    [InlineData("1m30s", 90000)]
    public void Stall_timeout_label_is_zero_for_off_or_a_duration(string value, int? expectedMilliseconds)
    {
        var result = Parse(Routed(("swarmedge.http.stall-timeout", value)));

        if (expectedMilliseconds is { } ms)
        {
            Assert.Empty(result.Errors);
            Assert.Empty(result.Warnings);
            Assert.Equal(TimeSpan.FromMilliseconds(ms), result.Routing!.StallTimeout);
        }
        else
        {
            Assert.Null(result.Routing);
            Assert.Single(result.Errors);
        }
    }

    [Fact]
    public void Without_a_stall_timeout_label_the_service_keeps_the_configured_default()
    {
        Assert.Null(Parse(Routed()).Routing!.StallTimeout);
    }

    // ---- limits ----

    [Theory]
    [InlineData("1048576", 1048576L)]
    [InlineData("512KB", 512L * 1024)]
    [InlineData("512k", 512L * 1024)]
    [InlineData("10 MB", 10L * 1024 * 1024)]
    [InlineData("10MiB", 10L * 1024 * 1024)]
    [InlineData("1gib", 1L << 30)]
    [InlineData("64GiB", 64L << 30)]
    public void Max_body_size_is_read_in_1024_based_units(string value, long bytes) =>
        Assert.Equal(bytes, Parse(Routed(("swarmedge.http.max-body-size", value))).Routing!.Routes.Single().MaxRequestBodySize);

    [Fact]
    public void A_router_may_match_an_exact_path_methods_and_headers()
    {
        var route = Parse(Routed(
            ("swarmedge.http.routers.api.host", "api.test"),
            ("swarmedge.http.routers.api.path", "/v1/items"),
            ("swarmedge.http.routers.api.exact-path", "true"),
            ("swarmedge.http.routers.api.methods", "get, Post,GET"),
            ("swarmedge.http.routers.api.headers", "X-Env=beta; X-Canary = 1"))).Routing!.Routes.Single();

        Assert.True(route.ExactPath);
        Assert.Equal(["GET", "POST"], route.Methods.ToArray());
        Assert.Equal([new HeaderMatch("X-Env", "beta"), new HeaderMatch("X-Canary", "1")], route.Headers.ToArray());
    }

    [Theory]
    [InlineData("swarmedge.http.routers.api.methods", "GET,", "must be a comma-separated list of HTTP methods")]
    [InlineData("swarmedge.http.routers.api.methods", "GE T", "must be a comma-separated list of HTTP methods")]
    [InlineData("swarmedge.http.routers.api.headers", "X-Env", "must be Name=value pairs")]
    [InlineData("swarmedge.http.routers.api.headers", "X-Env=", "must be Name=value pairs")]
    [InlineData("swarmedge.http.routers.api.headers", "X Env=1", "must be Name=value pairs")]
    [InlineData("swarmedge.http.routers.api.headers", "X-Env=1; x-env=2", "must be Name=value pairs")]
    [InlineData("swarmedge.http.routers.api.headers", ";", "must name 1 to 10 headers")]
    [InlineData("swarmedge.http.routers.api.exact-path", "yes", "must be true or false")]
    public void Bad_matches_are_errors(string key, string value, string error)
    {
        var result = Parse(Routed(("swarmedge.http.routers.api.host", "api.test"), (key, value)));

        Assert.Null(result.Routing);
        Assert.Contains(result.Errors, e => e.StartsWith($"label {key}=\"{value}\": {error}", StringComparison.Ordinal));
    }

    [Fact]
    public void A_router_sets_its_own_body_size_and_timeout_and_takes_the_service_s_otherwise()
    {
        var routing = Parse(Labels(
            ("swarmedge.enable", "true"),
            ("swarmedge.http.port", "80"),
            ("swarmedge.http.host", "shop.test"),
            ("swarmedge.http.max-body-size", "1MB"),
            ("swarmedge.http.timeout", "30s"),
            ("swarmedge.http.routers.upload.path", "/upload"),
            ("swarmedge.http.routers.upload.max-body-size", "2GiB"),
            ("swarmedge.http.routers.reports.path", "/reports"),
            ("swarmedge.http.routers.reports.timeout", "5m"))).Routing!;

        Assert.Equal(
            [("default", 1L << 20, TimeSpan.FromSeconds(30)), ("reports", 1L << 20, TimeSpan.FromMinutes(5)), ("upload", 2L << 30, TimeSpan.FromSeconds(30))],
            routing.Routes.Select(r => (r.Name, r.MaxRequestBodySize!.Value, r.ResponseTimeout!.Value)).ToArray());
        Assert.All(Parse(Routed()).Routing!.Routes, r => Assert.Equal((null, null), (r.MaxRequestBodySize, r.ResponseTimeout)));
    }

    [Theory]
    [InlineData("swarmedge.http.timeout", "0")]
    [InlineData("swarmedge.http.timeout", "50ms")]
    [InlineData("swarmedge.http.timeout", "2h")]
    [InlineData("swarmedge.http.routers.api.timeout", "soon")]
    public void A_bad_timeout_is_an_error(string key, string value) =>
        AssertSingleError(Parse(Routed(("swarmedge.http.routers.api.host", "api.test"), (key, value))),
            $"label {key}=\"{value}\": must be a duration from 100ms to 1h, such as 500ms, 30s or 5m");

    [Theory]
    [InlineData("0")]
    [InlineData("65GiB")]
    [InlineData("-1")]
    [InlineData("10 TB")]
    [InlineData("1.5MB")]
    [InlineData("")]
    public void A_bad_max_body_size_is_an_error(string value) =>
        AssertSingleError(Parse(Routed(("swarmedge.http.max-body-size", value))),
            $"label swarmedge.http.max-body-size=\"{value}\": must be a size from 1 byte to 64GiB, such as 1048576, 512KB, 10MB or 1GiB");

    [Theory]
    [InlineData("100/s", 100, 1)]
    [InlineData("600/m", 600, 60)]
    public void Rate_limit_is_requests_per_second_or_minute(string value, int permits, int seconds) =>
        Assert.Equal(new RequestRate(permits, TimeSpan.FromSeconds(seconds)), Parse(Routed(("swarmedge.http.rate-limit", value))).Routing!.RateLimit);

    [Theory]
    [InlineData("100")]
    [InlineData("0/s")]
    [InlineData("10/h")]
    [InlineData("ten/s")]
    [InlineData("2000000/s")]
    public void A_bad_rate_limit_is_an_error(string value) =>
        AssertSingleError(Parse(Routed(("swarmedge.http.rate-limit", value))),
            $"label swarmedge.http.rate-limit=\"{value}\": must be requests per client address per second or minute, such as 100/s or 600/m (1 to 1000000)");

    // ---- routers on ports of their own ----

    [Fact]
    public void A_router_may_send_to_a_task_port_of_its_own()
    {
        var result = Parse(Routed(
            ("swarmedge.http.host", "spark.example.com"),
            ("swarmedge.http.routers.ui.host", "ui.spark.example.com"),
            ("swarmedge.http.routers.ui.port", "4040")));

        Assert.Empty(result.Errors);
        Assert.Equal(8080, result.Routing!.HttpPort);
        Assert.Equal([null, 4040], result.Routing.Routes.Select(r => r.Port));
        Assert.Equal([8080, 4040], result.Routing.Routes.Select(result.Routing.PortOf));
    }

    [Fact]
    public void The_service_port_is_not_needed_when_every_router_names_its_own()
    {
        var result = Parse(Labels(("swarmedge.enable", "true"),
            ("swarmedge.http.routers.ui.host", "ui.example.com"), ("swarmedge.http.routers.ui.port", "8080"),
            ("swarmedge.http.routers.rest.host", "rest.example.com"), ("swarmedge.http.routers.rest.port", "6066")));

        Assert.Empty(result.Errors);
        Assert.Null(result.Routing!.HttpPort);
        Assert.True(result.Routing.IsHttp);
        // Endpoints are shown with the first router's port, in name order.
        Assert.Equal(6066, result.Routing.EndpointPort);
    }

    [Fact]
    public void A_router_without_a_port_needs_the_service_port()
    {
        var result = Parse(Labels(("swarmedge.enable", "true"),
            ("swarmedge.http.routers.ui.host", "ui.example.com"), ("swarmedge.http.routers.ui.port", "8080"),
            ("swarmedge.http.routers.api.host", "api.example.com")));

        AssertSingleError(result, "label swarmedge.http.port is missing: it names the port the service's tasks listen on");
    }

    [Theory]
    [InlineData("ui")]
    [InlineData("0")]
    [InlineData("65536")]
    public void A_bad_router_port_is_an_error(string value) =>
        AssertSingleError(Parse(Routed(("swarmedge.http.routers.ui.host", "ui.example.com"), ("swarmedge.http.routers.ui.port", value))),
            $"label swarmedge.http.routers.ui.port=\"{value}\": must be a port number from 1 to 65535");

    [Fact]
    public void A_service_with_tcp_routes_and_routers_on_their_own_ports_is_both_http_and_tcp()
    {
        var result = Parse(Labels(("swarmedge.enable", "true"),
            ("swarmedge.tcp.port", "7077"), ("swarmedge.tcp.entrypoint", "7077"),
            ("swarmedge.http.routers.ui.host", "spark.example.com"), ("swarmedge.http.routers.ui.port", "8080")));

        Assert.Empty(result.Errors);
        Assert.Empty(result.Warnings);
        Assert.Single(result.Routing!.TcpRoutes);
        Assert.Equal(8080, result.Routing.Routes.Single().Port);
    }

    // ---- HTTPS per route ----

    [Fact]
    public void Scheme_redirect_and_hsts_are_read_per_router()
    {
        var result = Parse(Routed(
            ("swarmedge.http.host", "shop.example.com"),
            ("swarmedge.http.scheme", "HTTPS"),
            ("swarmedge.http.https-redirect", "true"),
            ("swarmedge.http.hsts", "8760h"),
            ("swarmedge.http.routers.legacy.host", "old.example.com"),
            ("swarmedge.http.routers.legacy.scheme", "http")));

        Assert.Empty(result.Errors);
        Assert.Equal(new RouteTls(RouteScheme.Https, true, TimeSpan.FromDays(365)), result.Routing!.Routes.Single(r => r.Name == "default").Tls);
        Assert.Equal(new RouteTls(RouteScheme.Http, null, null), result.Routing.Routes.Single(r => r.Name == "legacy").Tls);
        Assert.Null(Parse(Routed(("swarmedge.http.host", "a.example.com"))).Routing!.Routes.Single().Tls);
    }

    [Fact]
    public void Acme_is_read_per_router()
    {
        var result = Parse(Routed(
            ("swarmedge.http.host", "shop.example.com"),
            ("swarmedge.http.acme", "true"),
            ("swarmedge.http.routers.own.host", "own.example.com"),
            ("swarmedge.http.routers.own.acme", "False")));

        Assert.Empty(result.Errors);
        Assert.Equal(new RouteTls(RouteScheme.Both, null, null, true), result.Routing!.Routes.Single(r => r.Name == "default").Tls);
        Assert.Equal(new RouteTls(RouteScheme.Both, null, null, false), result.Routing.Routes.Single(r => r.Name == "own").Tls);
    }

    [Theory]
    [InlineData("swarmedge.http.scheme", "tls", "must be both, https or http")]
    [InlineData("swarmedge.http.scheme", "1", "must be both, https or http")]
    [InlineData("swarmedge.http.https-redirect", "yes", "must be true or false")]
    [InlineData("swarmedge.http.acme", "letsencrypt", "must be true or false")]
    [InlineData("swarmedge.http.hsts", "3y", "must be 0 (no header) or a max-age from 1s to 17520h (two years), such as 8760h")]
    [InlineData("swarmedge.http.hsts", "20000h", "must be 0 (no header) or a max-age from 1s to 17520h (two years), such as 8760h")]
    public void Bad_https_labels_are_errors(string key, string value, string problem) =>
        AssertSingleError(Parse(Routed(("swarmedge.http.host", "a.example.com"), (key, value))), $"label {key}=\"{value}\": {problem}");

    [Theory]
    [InlineData("h2c", "H2c")]
    [InlineData("grpc", "H2c")]
    [InlineData("HTTPS", "Https")]
    [InlineData("http1", "Http1")]
    public void The_protocol_label_says_what_the_tasks_speak(string value, string protocol) =>
        Assert.Equal(Enum.Parse<TaskProtocol>(protocol), Parse(Routed(("swarmedge.http.host", "a.example.com"), ("swarmedge.http.protocol", value))).Routing!.Protocol);

    [Fact]
    public void A_bad_protocol_is_an_error() =>
        AssertSingleError(Parse(Routed(("swarmedge.http.host", "a.example.com"), ("swarmedge.http.protocol", "h3"))),
            "label swarmedge.http.protocol=\"h3\": must be http1, h2c (HTTP/2 without TLS, as gRPC servers listen) or https (TLS to the task)");
}
