namespace SwarmEdge.Tests;

public class SwarmEdgeOptionsValidatorTests
{
    /// <summary>Options as the host builds them (defaults, then list defaults after binding), then changed.</summary>
    private static SwarmEdgeOptions Defaults()
    {
        var options = new SwarmEdgeOptions();
        options.ApplyDefaults();
        return options;
    }

    private static IEnumerable<string> Failures(Action<SwarmEdgeOptions> change)
    {
        var options = Defaults();
        change(options);
        var result = new SwarmEdgeOptionsValidator().Validate(null, options);
        return result.Failed ? result.Failures! : [];
    }

    [Fact]
    public void The_defaults_are_valid()
    {
        Assert.True(new SwarmEdgeOptionsValidator().Validate(null, Defaults()).Succeeded);
    }

    [Fact]
    public void Tracing_needs_an_otlp_url_a_known_protocol_and_a_ratio()
    {
        Assert.Empty(Failures(o => (o.Tracing.Endpoint, o.Tracing.SampleRatio) = ("http://collector:4318", 1)));
        Assert.Equal(
            ["SwarmEdge:Tracing:Endpoint \"collector:4318\" is not an http(s) URL of an OTLP receiver",
             "SwarmEdge:Tracing:Protocol \"zipkin\" is not http/protobuf or grpc",
             "SwarmEdge:Tracing:SampleRatio 2 is not between 0 and 1"],
            Failures(o => (o.Tracing.Endpoint, o.Tracing.Protocol, o.Tracing.SampleRatio) = ("collector:4318", "zipkin", 2)));
    }

    [Fact]
    public void Proxy_protocol_without_trusted_proxies_is_an_error()
    {
        Assert.Equal(
            ["SwarmEdge:Proxy:ProxyProtocol needs SwarmEdge:Proxy:TrustedProxies: the load balancers whose PROXY protocol headers are believed"],
            Failures(o => o.Proxy.ProxyProtocol = true));
        Assert.Empty(Failures(o => (o.Proxy.ProxyProtocol, o.Proxy.TrustedProxies) = (true, ["10.0.0.0/8"])));
    }

    [Fact]
    public void The_refused_wait_is_between_zero_and_the_retry_budget()
    {
        Assert.Empty(Failures(o => o.Proxy.Retry.RefusedWait = TimeSpan.Zero));
        Assert.Equal(
            ["SwarmEdge:Proxy:Retry:RefusedWait is 00:00:31: it must be between 0 and SwarmEdge:Proxy:Retry:Budget (00:00:30)"],
            Failures(o => o.Proxy.Retry.RefusedWait = TimeSpan.FromSeconds(31)));
        Assert.Single(Failures(o => o.Proxy.Retry.RefusedWait = TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public void No_docker_endpoint_is_an_error()
    {
        Assert.Equal(
            ["SwarmEdge:Docker:Endpoints is empty: name at least one Docker API endpoint"],
            Failures(o => o.Docker.Endpoints = []));
    }

    [Theory]
    [InlineData("unix:///var/run/docker.sock")]
    [InlineData("tcp://10.0.0.1:2375")]
    [InlineData("http://manager-1:2375")]
    [InlineData("https://manager-1:2376")]
    public void Docker_endpoints_of_the_supported_schemes_are_valid(string endpoint)
    {
        Assert.Empty(Failures(o => o.Docker.Endpoints = ["tcp://10.0.0.2:2375", endpoint]));
    }

    [Theory]
    [InlineData("ftp://manager-1")]
    [InlineData("npipe:////./pipe/docker_engine")]
    [InlineData("/var/run/docker.sock")]
    [InlineData("docker.sock")]
    [InlineData("")]
    public void Other_docker_endpoints_are_errors_naming_the_value(string endpoint)
    {
        Assert.Equal(
            [$"SwarmEdge:Docker:Endpoints \"{endpoint}\" is not unix:///path, tcp://host:port or http(s)://host:port"],
            Failures(o => o.Docker.Endpoints = ["unix:///var/run/docker.sock", endpoint]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("127.0.0.11")]
    [InlineData("127.0.0.11:53")]
    [InlineData("[fd00::53]:5353")]
    public void Dns_server_may_be_off_or_an_ip_with_an_optional_port(string server)
    {
        Assert.Empty(Failures(o => o.Dns.Server = server));
    }

    [Theory]
    [InlineData("dns.local")]
    [InlineData("127.0.0.11:99999")]
    [InlineData("127.0.0.11:dns")]
    public void Other_dns_servers_are_errors_naming_the_value(string server)
    {
        Assert.Equal(
            [$"SwarmEdge:Dns:Server \"{server}\" is not an IP address with an optional :port"],
            Failures(o => o.Dns.Server = server));
    }

    private static void SetDuration(SwarmEdgeOptions options, string key, TimeSpan value)
    {
        switch (key)
        {
            case "SwarmEdge:Dns:Interval": options.Dns.Interval = value; break;
            case "SwarmEdge:Dns:Timeout": options.Dns.Timeout = value; break;
            case "SwarmEdge:Docker:RequestTimeout": options.Docker.RequestTimeout = value; break;
            case "SwarmEdge:Docker:HedgeAfter": options.Docker.HedgeAfter = value; break;
            case "SwarmEdge:Discovery:ResyncInterval": options.Discovery.ResyncInterval = value; break;
            case "SwarmEdge:Discovery:UpdateFollowInterval": options.Discovery.UpdateFollowInterval = value; break;
            case "SwarmEdge:Discovery:MaxRetryDelay": options.Discovery.MaxRetryDelay = value; break;
            case "SwarmEdge:Discovery:RetryInterval": options.Discovery.RetryInterval = value; break;
            default: throw new ArgumentOutOfRangeException(nameof(key), key, null);
        }
    }

    [Theory]
    [InlineData("SwarmEdge:Dns:Interval")]
    [InlineData("SwarmEdge:Dns:Timeout")]
    [InlineData("SwarmEdge:Docker:RequestTimeout")]
    [InlineData("SwarmEdge:Docker:HedgeAfter")]
    [InlineData("SwarmEdge:Discovery:ResyncInterval")]
    [InlineData("SwarmEdge:Discovery:UpdateFollowInterval")]
    [InlineData("SwarmEdge:Discovery:MaxRetryDelay")]
    [InlineData("SwarmEdge:Discovery:RetryInterval")]
    public void Durations_must_be_more_than_zero(string key)
    {
        Assert.Equal([$"{key} must be more than zero (it is 00:00:00)"], Failures(o => SetDuration(o, key, TimeSpan.Zero)));
        Assert.Equal([$"{key} must be more than zero (it is -00:00:01)"], Failures(o => SetDuration(o, key, TimeSpan.FromSeconds(-1))));
        Assert.Empty(Failures(o => SetDuration(o, key, TimeSpan.FromMilliseconds(1))));
    }

    [Fact]
    public void Listen_addresses_must_be_ip_addresses()
    {
        Assert.Equal(
            ["SwarmEdge:Proxy:Address \"localhost\" is not an IP address", "SwarmEdge:Admin:Address \"\" is not an IP address"],
            Failures(o =>
            {
                o.Proxy.Address = "localhost";
                o.Admin.Address = "";
            }));
        Assert.Empty(Failures(o => o.Proxy.Address = "::"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    [InlineData(-80)]
    public void Listen_ports_must_be_port_numbers(int port)
    {
        Assert.Equal([$"SwarmEdge:Proxy:Port {port} is not a port number from 1 to 65535"], Failures(o => o.Proxy.Port = port));
        Assert.Equal([$"SwarmEdge:Admin:Port {port} is not a port number from 1 to 65535"], Failures(o => o.Admin.Port = port));
    }

    [Fact]
    public void Proxy_and_admin_need_their_own_ports()
    {
        Assert.Equal(
            ["SwarmEdge:Proxy:Port and SwarmEdge:Admin:Port are both 9000: the admin API needs its own port"],
            Failures(o =>
            {
                o.Proxy.Port = 9000;
                o.Admin.Port = 9000;
            }));
    }

    [Theory]
    [InlineData(-1, "SwarmEdge:Admin:ProbePort -1 is not a port number from 1 to 65535 (or 0: none)")]
    [InlineData(65536, "SwarmEdge:Admin:ProbePort 65536 is not a port number from 1 to 65535 (or 0: none)")]
    [InlineData(8080, "SwarmEdge:Admin:ProbePort 8080 is already the proxy, admin, HTTPS or a TCP entrypoint port")]
    [InlineData(8081, "SwarmEdge:Admin:ProbePort 8081 is already the proxy, admin, HTTPS or a TCP entrypoint port")]
    [InlineData(7000, "SwarmEdge:Admin:ProbePort 7000 is already the proxy, admin, HTTPS or a TCP entrypoint port")]
    public void The_probe_port_is_a_port_of_its_own(int port, string error)
    {
        Assert.Equal([error], Failures(o =>
        {
            o.Proxy.Port = 8080;
            o.Admin.Port = 8081;
            o.Tcp.Entrypoints = [7000];
            o.Admin.ProbePort = port;
        }));
        Assert.Empty(Failures(o => o.Admin.ProbePort = 8082));
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var failures = Failures(o =>
        {
            o.Docker.Endpoints = [];
            o.Dns.Server = "dns.local";
            o.Dns.Interval = TimeSpan.Zero;
            o.Admin.Port = 0;
        });

        Assert.Equal(4, failures.Count());
    }

    [Fact]
    public void Tcp_entrypoints_must_be_ports_distinct_from_the_proxy_and_admin_ports_and_listed_once()
    {
        Assert.Equal(
            [
                "SwarmEdge:Tcp:Entrypoints 0 is not a port number from 1 to 65535",
                "SwarmEdge:Tcp:Entrypoints 8080 is already the proxy or the admin port",
                "SwarmEdge:Tcp:Entrypoints lists 5432 more than once",
            ],
            Failures(o => o.Tcp.Entrypoints.AddRange([0, 8080, 5432, 5432])));
    }

    [Fact]
    public void Tcp_timeouts_must_be_positive_and_attempts_at_least_one()
    {
        Assert.Equal(
            [
                "SwarmEdge:Tcp:DrainTimeout must be more than zero (it is 00:00:00)",
                "SwarmEdge:Tcp:RefusedWait must be 00:00:00 (off) or more (it is -00:00:01)",
                "SwarmEdge:Tcp:ConnectAttempts must be at least 1 (it is 0)",
            ],
            Failures(o =>
            {
                o.Tcp.DrainTimeout = TimeSpan.Zero;
                o.Tcp.RefusedWait = TimeSpan.FromSeconds(-1);
                o.Tcp.ConnectAttempts = 0;
            }));
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("10.0.0.5")]
    [InlineData("::")]
    public void An_admin_api_beyond_loopback_needs_a_token_file(string address)
    {
        Assert.Equal(
            [$"SwarmEdge:Admin:Address {address} is not loopback: set SwarmEdge:Admin:TokenFile to a file holding the bearer token " +
             "admin requests must carry (or keep the admin API on 127.0.0.1)"],
            Failures(o => o.Admin.Address = address));
        Assert.Empty(Failures(o => { o.Admin.Address = address; o.Admin.TokenFile = "/run/secrets/admin_token"; }));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public void A_loopback_admin_api_needs_no_token(string address) => Assert.Empty(Failures(o => o.Admin.Address = address));

    [Theory]
    [InlineData("{service}")]
    [InlineData("{service}.apps.example.com")]
    public void A_default_host_holds_the_service_placeholder(string host) => Assert.Empty(Failures(o => o.Routing.DefaultHost = host));

    [Theory]
    [InlineData("apps.example.com")]
    [InlineData("{service} .example.com")]
    [InlineData("{service}/x")]
    public void A_default_host_without_the_placeholder_or_not_a_host_is_an_error(string host) =>
        Assert.Contains("SwarmEdge:Routing:DefaultHost", Assert.Single(Failures(o => o.Routing.DefaultHost = host)));

    [Theory]
    [InlineData("example.com", true)]
    [InlineData("*.example.com", true)]
    [InlineData("example.com:443", false)]
    [InlineData("*example.com", false)]
    [InlineData("", false)]
    public void Allowed_hosts_are_names_or_wildcards_without_a_port(string host, bool valid) =>
        Assert.Equal(valid, !Failures(o => o.Routing.AllowedHosts.Add(new AllowedHostOptions { Host = host })).Any());

    [Theory]
    [InlineData("Grace")]
    [InlineData("Drain")]
    public void Shutdown_steps_are_zero_up_to_five_minutes(string step)
    {
        void Set(SwarmEdgeOptions o, TimeSpan value)
        {
            if (step == "Grace") o.Shutdown.Grace = value; else o.Shutdown.Drain = value;
        }

        Assert.Empty(Failures(o => Set(o, TimeSpan.Zero)));
        Assert.Empty(Failures(o => Set(o, TimeSpan.FromMinutes(5))));
        Assert.Equal([$"SwarmEdge:Shutdown:{step} must be 00:00:00 up to 00:05:00 (it is 00:05:01)"], Failures(o => Set(o, TimeSpan.FromSeconds(301))));
        Assert.Equal([$"SwarmEdge:Shutdown:{step} must be 00:00:00 up to 00:05:00 (it is -00:00:01)"], Failures(o => Set(o, TimeSpan.FromSeconds(-1))));
    }
}
