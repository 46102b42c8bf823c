using SwarmEdge.IntegrationTests.Lab;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Hostile;

/// <summary>
/// Oversized and ambiguous requests from a client on the internet get their standard status from the edge,
/// and a request-smuggling attempt never reaches a task as two requests: the task (nginx writing its access
/// log, read with docker service logs) is asked what it received.
/// </summary>
[Collection(SingleNodeSwarmCollection.Name)]
public sealed class MalformedRequestTests(SingleNodeSwarm swarm, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Port = 18390;
    private const string NginxLogging = """
        worker_processes 1;
        error_log stderr warn;
        pid /run/nginx.pid;
        events { worker_connections 1024; }
        http {
          access_log /dev/stdout;
          server {
            listen 80;
            default_type text/plain;
            location / { return 200 "$hostname $request_uri\n"; }
          }
        }
        """;

    private readonly SwarmServices _services = swarm.NewServices();
    private string? _config;

    [Fact]
    public async Task Oversized_and_ambiguous_requests_get_their_status_and_a_task_never_sees_a_smuggled_request()
    {
        await using var edge = await ProductionEdge.StartAsync(swarm, Port);
        var name = SwarmServices.UniqueName("raw");
        var host = $"{name}.test";
        _config = name;
        var configFile = Path.Combine(RepoPaths.Root, "artifacts", $"{name}.nginx.conf");
        Directory.CreateDirectory(Path.GetDirectoryName(configFile)!);
        await File.WriteAllTextAsync(configFile, NginxLogging);
        await Shell.DockerAsync("config", "create", name, configFile);
        await _services.CreateAsync(name, 1, SwarmServices.Labels(80, ("swarmedge.http.host", host), ("swarmedge.http.max-body-size", "1KB")),
            "--config", $"source={name},target=/etc/nginx/nginx.conf");
        await ProductionEdge.WaitForEndpointsAsync(edge, name, 1);

        var big = new string('a', 40_000);
        var cases = new (string What, string Request, string Status)[]
        {
            ("headers over 32 KiB", $"GET /big-header HTTP/1.1\r\nHost: {host}\r\nX-Big: {big}\r\n\r\n", "431"),
            ("101 headers", $"GET /many-headers HTTP/1.1\r\nHost: {host}\r\n{string.Concat(Enumerable.Range(0, 101).Select(i => $"X-{i}: v\r\n"))}\r\n", "431"),
            ("request line over 8 KiB", $"GET /{new string('b', 9000)} HTTP/1.1\r\nHost: {host}\r\n\r\n", "414"),
            ("body over the service's 1KB", $"POST /big-body HTTP/1.1\r\nHost: {host}\r\nContent-Length: 2048\r\n\r\n{new string('c', 2048)}", "413"),
            ("chunked body over 1KB", $"POST /big-chunked HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n{new string('d', 2048)}\r\n0\r\n\r\n", "413"),
            ("obfuscated Transfer-Encoding", $"POST /te-x HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: xchunked\r\nContent-Length: 4\r\n\r\nabcd", "400"),
            ("two Transfer-Encodings (TE.TE)", $"POST /te-te HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n", "400"),
            ("space before the colon", $"POST /te-space HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n", "400"),
            ("two Content-Lengths", $"POST /cl-cl HTTP/1.1\r\nHost: {host}\r\nContent-Length: 4\r\nContent-Length: 40\r\n\r\nabcd", "400"),
        };

        var seen = new List<string>();
        foreach (var (what, request, status) in cases)
        {
            var response = await SendAsync(swarm.Sidecar.Address, Port, request);
            var line = response.Split("\r\n")[0];
            seen.Add($"{what}: {line}");
            Assert.True(line.StartsWith($"HTTP/1.1 {status}", StringComparison.Ordinal), $"{what}: expected {status}, got '{line}'");
        }

        // CL.TE: Kestrel reads the body by Transfer-Encoding (RFC 9112 6.3), drops Content-Length, answers once
        // and closes the connection, so the bytes after the chunked body are never read as a request.
        var smuggle = await SendAsync(swarm.Sidecar.Address, Port,
            $"POST /cl-te HTTP/1.1\r\nHost: {host}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: {host}\r\n\r\n");
        Assert.Equal(1, smuggle.Split("HTTP/1.1 ").Length - 1);
        Assert.Contains("Connection: close", smuggle, StringComparison.OrdinalIgnoreCase);
        seen.Add($"CL.TE: {smuggle.Split("\r\n")[0]}, connection closed");

        // The task's own record: the refused requests never reached it, the smuggled one neither, CL.TE once. The
        // chunked body that outgrew the limit did reach it, cut off: the edge streams bodies, so the task sees the
        // request begin and its body end early (this nginx answers without reading bodies, so it logs a 200).
        string log = "";
        await Eventually.HoldsAsync(async () =>
        {
            log = (await Shell.DockerAsync("service", "logs", "--raw", name)).Output;
            return log.Contains("/cl-te", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(20), "the task logged the CL.TE request");
        var lines = log.Split('\n');
        Assert.Equal(1, lines.Count(l => l.Contains("POST /cl-te", StringComparison.Ordinal)));
        Assert.DoesNotContain(lines, l => l.Contains("/smuggled", StringComparison.Ordinal));
        foreach (var refused in new[] { "/big-header", "/many-headers", "/big-body", "/te-x", "/te-te", "/te-space", "/cl-cl" })
        {
            Assert.DoesNotContain(lines, l => l.Contains(refused, StringComparison.Ordinal));
        }

        // A client that never finishes its headers is answered 408 after SwarmEdge:Limits:RequestHeadersTimeout (10 s).
        var started = DateTime.UtcNow;
        var slow = await SendAsync(swarm.Sidecar.Address, Port, $"GET /slow HTTP/1.1\r\nHost: {host}\r\nX-Partial: ", TimeSpan.FromSeconds(30));
        var waited = DateTime.UtcNow - started;
        seen.Add($"headers never finished: {slow.Split("\r\n")[0]} after {waited.TotalSeconds:0.0} s");
        Assert.StartsWith("HTTP/1.1 408", slow);
        Assert.InRange(waited, TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(20));

        output.WriteLine(string.Join('\n', seen));
        Measurements.Record(output, "malformed requests", string.Join("; ", seen));
    }

    private static Task<string> SendAsync(string address, int port, string request, TimeSpan? timeout = null) =>
        RawHttp.SendAsync(address, port, request, timeout ?? TimeSpan.FromSeconds(3));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        if (_config is not null)
        {
            await Shell.RunAsync("docker", ["config", "rm", _config], check: false);
        }
    }
}
