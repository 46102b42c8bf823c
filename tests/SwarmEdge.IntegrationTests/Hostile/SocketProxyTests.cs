using SwarmEdge.IntegrationTests.Lab;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Hostile;

/// <summary>
/// deploy/socket-proxy, the real image, as stack.yml runs it (haproxy user with the socket's group, read-only
/// root, no capabilities) on the lab's real dockerd. Every request line an attacker on the edge could send to
/// read secrets, logs or to change the swarm is refused before dockerd sees it (a dockerd answer carries an
/// Api-Version header; the proxy's refusals do not), and the reads SwarmEdge makes pass.
/// </summary>
[Collection(SingleNodeSwarmCollection.Name)]
public sealed class SocketProxyTests(SocketProxyTests.RunningProxy proxy, ITestOutputHelper output) : IClassFixture<SocketProxyTests.RunningProxy>
{
    private const string Image = "swarmedge-lab/socket-proxy:hostile";
    private const string Container = "it-socket-proxy";
    private const int Port = 23750;
    private const string Id = "abcdefghijklmnopqrstuvwxy";
    private const string Id2 = "0123456789abcdefghijklmno";
    private const string OptedIn = "filters=%7B%22label%22%3A%7B%22swarmedge.enable%22%3Atrue%7D%7D";
    private const string OneOptedIn = "filters=%7B%22id%22%3A%7B%22" + Id + "%22%3Atrue%7D%2C%22label%22%3A%7B%22swarmedge.enable%22%3Atrue%7D%7D";
    private const string RunningOf = "filters=%7B%22desired-state%22%3A%7B%22running%22%3Atrue%7D%2C%22service%22%3A%7B%22" + Id +
                                     "%22%3Atrue%2C%22" + Id2 + "%22%3Atrue%7D%7D";
    private const string Certificates = "filters=%7B%22label%22%3A%7B%22swarmedge.acme%3Dcertificate%22%3Atrue%7D%7D";
    private const string EventTypes = "filters=%7B%22type%22%3A%7B%22service%22%3Atrue%2C%22node%22%3Atrue%2C%22container%22%3Atrue%7D%7D";

    /// <summary>The requests SwarmEdge makes (SwarmReader, SwarmEventWatcher), with and without an API version.</summary>
    public static TheoryData<string> Reads => new()
    {
        "GET /_ping HTTP/1.1",
        "GET /v1.41/_ping HTTP/1.1",
        "GET /networks HTTP/1.1",
        "GET /nodes HTTP/1.1",
        "GET /v1.41/nodes HTTP/1.1",
        $"GET /services?{OptedIn} HTTP/1.1",
        $"GET /v1.41/services?{OneOptedIn} HTTP/1.1",
        // With SwarmEdge:Discovery:TraefikLabels: services labelled for Traefik's Swarm provider.
        $"GET /services?{OptedIn.Replace("swarmedge.enable", "traefik.enable", StringComparison.Ordinal)} HTTP/1.1",
        $"GET /v1.41/services?{OneOptedIn.Replace("swarmedge.enable", "traefik.enable", StringComparison.Ordinal)} HTTP/1.1",
        $"GET /tasks?{RunningOf} HTTP/1.1",
        $"GET /tasks?filters=%7B%22service%22%3A%7B%22{Id}%22%3Atrue%7D%7D HTTP/1.1",
        $"GET /events?{EventTypes} HTTP/1.1",
        $"GET /events?since=1796214907.604949416&{EventTypes} HTTP/1.1",
        $"GET /configs?{Certificates} HTTP/1.1",
        "GET /configs?filters=%7B%22label%22%3A%7B%22swarmedge.acme%3Dorder%22%3Atrue%7D%7D HTTP/1.1",
        "GET /configs?filters=%7B%22label%22%3A%7B%22swarmedge.acme%3Dfailure%22%3Atrue%7D%7D HTTP/1.1",
    };

    /// <summary>Request lines (and headers) that must never reach dockerd. Each bypass class found goes here.</summary>
    public static TheoryData<string, string> Refused => new()
    {
        // Writes, by every method.
        { "create a service", "POST /services/create HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}" },
        { "remove a service", $"DELETE /services/{Id} HTTP/1.1" },
        { "PUT", "PUT /services HTTP/1.1" },
        { "PATCH", "PATCH /services HTTP/1.1" },
        { "HEAD", "HEAD /_ping HTTP/1.1" },
        { "OPTIONS", "OPTIONS /_ping HTTP/1.1" },
        { "TRACE", "TRACE /_ping HTTP/1.1" },
        { "CONNECT", "CONNECT localhost:2375 HTTP/1.1" },
        { "lower-case method", "get /_ping HTTP/1.1" },
        // Data SwarmEdge never needs.
        { "secrets", "GET /secrets HTTP/1.1" },
        { "versioned secrets", "GET /v1.41/secrets HTTP/1.1" },
        { "configs", "GET /configs HTTP/1.1" },
        { "every SwarmEdge config (the issuer's account, its failures)", "GET /configs?filters=%7B%22label%22%3A%7B%22swarmedge.acme%22%3Atrue%7D%7D HTTP/1.1" },
        { "the issuer's account by label", "GET /configs?filters=%7B%22label%22%3A%7B%22swarmedge.acme%3Daccount%22%3Atrue%7D%7D HTTP/1.1" },
        { "certificates and a second filter", $"GET /configs?{Certificates}&filters=%7B%7D HTTP/1.1" },
        { "certificates, filter widened by a second key", "GET /configs?filters=%7B%22label%22%3A%7B%22swarmedge.acme%3Dcertificate%22%3Atrue%7D%2C%22name%22%3A%7B%7D%7D HTTP/1.1" },
        { "a config by name", "GET /configs/swarmedge-acme-account-0123456789abcdef HTTP/1.1" },
        { "create a config", "POST /configs/create HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}" },
        { "remove a config", "DELETE /configs/swarmedge-acme-certificate-0123456789abcdef-20261204000000000 HTTP/1.1" },
        { "swarm (join tokens)", "GET /swarm HTTP/1.1" },
        { "info", "GET /info HTTP/1.1" },
        { "version", "GET /version HTTP/1.1" },
        { "containers", "GET /containers/json HTTP/1.1" },
        { "container logs", $"GET /containers/{Id}/logs?stdout=1 HTTP/1.1" },
        { "container archive", $"GET /containers/{Id}/archive?path=/etc HTTP/1.1" },
        { "container attach", $"GET /containers/{Id}/attach/ws HTTP/1.1" },
        { "container exec", $"POST /containers/{Id}/exec HTTP/1.1\r\nContent-Length: 2\r\n\r\n{{}}" },
        { "service logs", $"GET /services/{Id}/logs?stdout=1 HTTP/1.1" },
        { "task logs", $"GET /tasks/{Id}/logs?stdout=1 HTTP/1.1" },
        { "service inspect (any service, with its environment)", $"GET /services/{Id} HTTP/1.1" },
        { "task inspect", $"GET /tasks/{Id} HTTP/1.1" },
        { "images", "GET /images/json HTTP/1.1" },
        { "volumes", "GET /volumes HTTP/1.1" },
        { "plugins", "GET /plugins HTTP/1.1" },
        { "system df", "GET /system/df HTTP/1.1" },
        { "session (hijack)", "POST /session HTTP/1.1\r\nUpgrade: h2c\r\nConnection: Upgrade" },
        // Every service, or every task, with their environments.
        { "all services", "GET /services HTTP/1.1" },
        { "services, empty filter", "GET /services?filters=%7B%7D HTTP/1.1" },
        { "services, label filter overridden by a second key", "GET /services?filters=%7B%22label%22%3A%7B%22swarmedge.enable%22%3Atrue%7D%2C%22label%22%3A%7B%7D%7D HTTP/1.1" },
        { "services, second filters parameter", $"GET /services?{OptedIn}&filters=%7B%7D HTTP/1.1" },
        { "services by another Traefik label", "GET /services?filters=%7B%22label%22%3A%7B%22traefik.http.routers%22%3Atrue%7D%7D HTTP/1.1" },
        { "services by a label that ends like an enable label", "GET /services?filters=%7B%22label%22%3A%7B%22xtraefik.enable%22%3Atrue%7D%7D HTTP/1.1" },
        { "services, filter not encoded", "GET /services?filters={\"label\":{\"swarmedge.enable\":true}} HTTP/1.1" },
        { "all tasks", "GET /tasks HTTP/1.1" },
        { "every running task", "GET /tasks?filters=%7B%22desired-state%22%3A%7B%22running%22%3Atrue%7D%7D HTTP/1.1" },
        { "tasks of a service by name", "GET /tasks?filters=%7B%22desired-state%22%3A%7B%22running%22%3Atrue%7D%2C%22service%22%3A%7B%22web%22%3Atrue%7D%7D HTTP/1.1" },
        { "task history of a service by name", "GET /tasks?filters=%7B%22service%22%3A%7B%22web%22%3Atrue%7D%7D HTTP/1.1" },
        { "task history of two services", $"GET /tasks?filters=%7B%22service%22%3A%7B%22{Id}%22%3Atrue%2C%22{Id2}%22%3Atrue%7D%7D HTTP/1.1" },
        { "task history by node", "GET /tasks?filters=%7B%22node%22%3A%7B%22n1%22%3Atrue%7D%7D HTTP/1.1" },
        { "all events", "GET /events HTTP/1.1" },
        { "events with a second filter", $"GET /events?{EventTypes}&filters=%7B%7D HTTP/1.1" },
        { "query on a plain read", "GET /nodes?filters=%7B%7D HTTP/1.1" },
        // Percent-encoding and dot segments: dockerd routes on the decoded, cleaned path.
        { "encoded slash", $"GET /services/{Id}%2Flogs HTTP/1.1" },
        { "encoded slash, lower case", $"GET /services/{Id}%2flogs HTTP/1.1" },
        { "encoded slashes all the way", $"GET /services%2F{Id}%2Flogs HTTP/1.1" },
        { "encoded letter", "GET /%73ecrets HTTP/1.1" },
        { "encoded version separator", "GET /v1.41%2Fsecrets HTTP/1.1" },
        { "double encoding", $"GET /services/{Id}%252Flogs HTTP/1.1" },
        { "dot segments", "GET /services/../secrets HTTP/1.1" },
        { "encoded dot segments", "GET /services/%2e%2e/secrets HTTP/1.1" },
        { "encoded dot segments, upper case", "GET /services/%2E%2E/secrets HTTP/1.1" },
        { "single dot segment", "GET /./secrets HTTP/1.1" },
        { "allowed prefix then traversal", "GET /nodes/../containers/json HTTP/1.1" },
        { "double slash", "GET //secrets HTTP/1.1" },
        { "trailing slash", "GET /nodes/ HTTP/1.1" },
        { "path parameter", "GET /nodes;x=1 HTTP/1.1" },
        { "upper-case version", "GET /V1.41/nodes HTTP/1.1" },
        { "backslash", "GET /nodes\\..\\secrets HTTP/1.1" },
        // Protocol tricks.
        { "HTTP/1.0", "GET /_ping HTTP/1.0" },
        { "absolute-form target", "GET http://localhost/_ping HTTP/1.1" },
        { "absolute-form target to another path", "GET http://localhost/secrets HTTP/1.1" },
        { "upgrade to tcp (attach)", "GET /_ping HTTP/1.1\r\nUpgrade: tcp\r\nConnection: Upgrade" },
        { "connection upgrade only", "GET /_ping HTTP/1.1\r\nConnection: keep-alive, Upgrade" },
        { "body on a read", "GET /_ping HTTP/1.1\r\nContent-Length: 4\r\n\r\nabcd" },
        { "chunked body on a read", "GET /_ping HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" },
        { "smuggled second request", $"GET /_ping HTTP/1.1\r\nContent-Length: 30\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /secrets HTTP/1.1\r\nHost: x" },
    };

    [Theory]
    [MemberData(nameof(Reads))]
    public async Task The_reads_SwarmEdge_makes_reach_dockerd(string requestLine)
    {
        var response = await SendAsync(requestLine);

        // dockerd answered (tasks of made-up service IDs are its 404).
        Assert.Contains("Api-Version:", response, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch("^HTTP/1.1 (403|400)", response);
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Everything_else_is_refused_before_dockerd(string attempt, string request)
    {
        output.WriteLine($"{attempt}: {RunningProxy.AssertRefused(attempt, await SendAsync(request))}");
    }

    [Fact]
    public async Task The_edge_lists_the_stored_certificates_and_nothing_wider()
    {
        var options = new SwarmEdge.SwarmEdgeOptions { Docker = { Endpoints = { $"tcp://127.0.0.1:{Port}" } } };
        using var configs = new SwarmEdge.Acme.DockerConfigs(Microsoft.Extensions.Options.Options.Create(options));

        // The product's own request, as it spells it, passes; asking for every SwarmEdge config or creating one does not.
        await configs.ListAsync(SwarmEdge.Acme.AcmeConfigKind.Certificate, CancellationToken.None);
        await configs.ListAsync(SwarmEdge.Acme.AcmeConfigKind.Order, CancellationToken.None);
        await configs.ListAsync(SwarmEdge.Acme.AcmeConfigKind.Failure, CancellationToken.None);
        var account = await Assert.ThrowsAsync<HttpRequestException>(() => configs.ListAsync(SwarmEdge.Acme.AcmeConfigKind.Account, CancellationToken.None));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, account.StatusCode);
        var all = await Assert.ThrowsAsync<HttpRequestException>(() => configs.ListAsync(null, CancellationToken.None));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, all.StatusCode);
        var create = await Assert.ThrowsAsync<HttpRequestException>(() =>
            configs.CreateAsync("swarmedge-acme-order-0123456789abcdef", SwarmEdge.Acme.AcmeConfigKind.Order, "a.test", [1], CancellationToken.None));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, create.StatusCode);
    }

    [Fact]
    public async Task A_refused_write_changes_nothing_and_the_container_is_healthy()
    {
        var name = SwarmServices.UniqueName("sp-evil");
        var spec = $"{{\"Name\":\"{name}\",\"TaskTemplate\":{{\"ContainerSpec\":{{\"Image\":\"{SwarmServices.Image}\"}}}}}}";
        var response = await SendAsync($"POST /services/create HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: {spec.Length}\r\n\r\n{spec}");

        Assert.StartsWith("HTTP/1.1 403", response);
        Assert.NotEqual(0, (await Shell.RunAsync("docker", ["service", "inspect", name], check: false)).ExitCode);
        await Eventually.HoldsAsync(async () =>
                (await Shell.DockerAsync("inspect", "-f", "{{.State.Health.Status}}", Container)).Trimmed == "healthy",
            TimeSpan.FromSeconds(40), "the socket proxy reports healthy");
        var user = (await Shell.DockerAsync("inspect", "-f", "{{.Config.User}} {{.HostConfig.ReadonlyRootfs}} {{.HostConfig.CapDrop}}", Container)).Trimmed;
        Assert.NotNull(proxy);
        Measurements.Record(output, "socket proxy", $"{Refused.Count} request lines refused, {Reads.Count} reads passed; runs as {user}");
    }

    private static Task<string> SendAsync(string request) => RunningProxy.SendAsync(Port, request);

    /// <summary>One socket proxy container for all the cases.</summary>
    public sealed class RunningProxy : IAsyncLifetime
    {
        public Task InitializeAsync() => StartAsync(Container, Port, config: null);

        public Task DisposeAsync() => Shell.RunAsync("docker", ["rm", "-f", Container], check: false);

        /// <summary>The image as stack.yml runs it, with haproxy.cfg or another of its configuration files.</summary>
        internal static async Task StartAsync(string container, int port, string? config, string address = "127.0.0.1")
        {
            await Shell.RunAsync(RepoPaths.LabScript("swarm-up.sh"), [], TimeSpan.FromMinutes(20));
            await Shell.RunAsync("docker", ["build", "-q", "--build-arg", "BASE_IMAGE=swarmedge-lab/base:bookworm", "-t", Image,
                Path.Combine(RepoPaths.Root, "deploy", "socket-proxy")], TimeSpan.FromMinutes(10));
            await Shell.RunAsync("docker", ["rm", "-f", container], check: false);
            var gid = (await Shell.RunAsync("stat", ["-c", "%g", "/var/run/docker.sock"])).Trimmed;
            string[] command = config is null ? [] : ["haproxy", "-W", "-db", "-f", $"/etc/haproxy/{config}"];
            await Shell.DockerAsync(["run", "-d", "--name", container, "--user", $"haproxy:{gid}", "--read-only", "--cap-drop", "ALL",
                "--security-opt", "no-new-privileges", "-p", $"{address}:{port}:2375",
                "-v", "/var/run/docker.sock:/var/run/docker.sock:ro", Image, .. command]);
            await Eventually.HoldsAsync(async () =>
                {
                    try
                    {
                        return (await SendAsync(port, "GET /_ping HTTP/1.1", address)).StartsWith("HTTP/1.1 200", StringComparison.Ordinal);
                    }
                    catch (System.Net.Sockets.SocketException)
                    {
                        return false; // not listening yet
                    }
                },
                TimeSpan.FromSeconds(20), $"the socket proxy {container} answers");
        }

        /// <summary>Refused by the proxy (403, or 400 for what HAProxy cannot parse), never answered by dockerd (no Api-Version); the status line.</summary>
        internal static string AssertRefused(string attempt, string response)
        {
            var status = response.Split("\r\n")[0];
            Assert.True(status.StartsWith("HTTP/1.1 403", StringComparison.Ordinal) || status.StartsWith("HTTP/1.1 400", StringComparison.Ordinal),
                $"{attempt}: {status}");
            Assert.DoesNotContain("Api-Version:", response, StringComparison.OrdinalIgnoreCase);
            return status;
        }

        /// <summary>The request with Host and Connection: close added; its answer's headers (the event stream never ends).</summary>
        internal static Task<string> SendAsync(int port, string request, string address = "127.0.0.1")
        {
            var parts = request.Split("\r\n\r\n", 2);
            var head = parts[0] + "\r\nHost: localhost\r\nConnection: close\r\n\r\n" + (parts.Length > 1 ? parts[1] : "");
            return RawHttp.SendAsync(address, port, head, TimeSpan.FromSeconds(5), headersOnly: true);
        }
    }
}
