using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using SwarmEdge.IntegrationTests.Hostile;
using SwarmEdge.IntegrationTests.Lab;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Commands;

/// <summary>
/// swarmedge convert on a stack from the field: a database that binds its container address (which the routing
/// mesh's VIP breaks), a service with two HTTP ports and a TCP port, and a web app; then the converted file
/// deployed with docker stack deploy. Every port that was reachable is reachable through SwarmEdge (psql, HTTP on
/// both ports, the TCP echo), and a rolling update of each service under load fails nothing. (A UDP port would stay
/// on the routing mesh, in vip mode, which this lab's kernel cannot run: no IPVS. The unit and golden tests cover it.)
/// </summary>
[Collection(SingleNodeSwarmCollection.Name)]
public sealed class ConvertDeployTests(SingleNodeSwarm swarm, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Port = 18394;
    private const int DbEntrypoint = 25432;
    private const int EchoEntrypoint = 27000;
    private readonly string _stack = SwarmServices.UniqueName("cv");
    private readonly string _dir = Directory.CreateTempSubdirectory("swarmedge-convert-").FullName;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>
    /// Short and long port syntax, labels as a list and as a map, comments; the network SwarmEdge is on is external.
    /// Only local lab images.
    /// </summary>
    private static string StackFile(string edgeNetwork) => $$$"""
        # Lab stack: a database, a multi-port service and a web app behind the routing mesh.
        version: "3.8"

        services:
          # Web front
          web:
            image: {{{SwarmServices.Image}}}
            hostname: "{{.Task.Name}}"
            ports:
              - "18911:80"   # http
            networks: [edge]
            deploy:
              replicas: 2
              labels:
                - "com.example.team=web"

          # PostgreSQL on its container address only, as Greenplum-like programs do
          db:
            image: swarmedge-lab/postgres:latest
            hostname: "{{.Task.Name}}"
            command: ["sh", "-c", "exec /usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main -c config_file=/etc/postgresql/15/main/postgresql.conf -c listen_addresses=$$(hostname -i | cut -d' ' -f1)"]
            healthcheck:
              test: ["CMD-SHELL", "/usr/lib/postgresql/15/bin/pg_isready -q -h $$(hostname -i | cut -d' ' -f1)"]
              interval: 1s
              timeout: 2s
              retries: 30
            stop_grace_period: 5s
            ports:
              - target: 5432
                published: {{{DbEntrypoint}}}
                protocol: tcp
                mode: ingress
            networks: [edge]
            deploy:
              update_config:
                order: start-first

          # HTTP on 80 and 8081, a TCP echo on 7000
          multi:
            image: swarmedge-lab/tcpecho:latest
            hostname: "{{.Task.Name}}"
            entrypoint: ["sh", "-c", "socat TCP-LISTEN:80,fork,reuseaddr,backlog=512 EXEC:/usr/local/bin/http-with-delay & socat TCP-LISTEN:8081,fork,reuseaddr,backlog=512 EXEC:/usr/local/bin/http-with-delay & exec socat TCP-LISTEN:7000,fork,reuseaddr,backlog=512 EXEC:/usr/local/bin/echo-with-name"]
            # Running once every port listens: Swarm reports a task with a health check running only when healthy.
            healthcheck:
              test: ["CMD", "bash", "-c", "for p in 80 8081 7000; do (exec 3<>/dev/tcp/127.0.0.1/$$p) || exit 1; done"]
              interval: 1s
              timeout: 2s
              retries: 30
            ports:
              - "18921:80"
              - "18922:8081"
              - "{{{EchoEntrypoint}}}:7000"
            networks: [edge]
            deploy:
              replicas: 2
              labels:
                com.example.team: multi

        networks:
          edge:
            external: true
            name: {{{edgeNetwork}}}
        """;

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Every_port_of_a_converted_stack_is_reached_through_SwarmEdge_and_survives_a_rolling_update()
    {
        var input = Path.Combine(_dir, "stack.yml");
        var converted = Path.Combine(_dir, "converted.yml");
        await File.WriteAllTextAsync(input, StackFile(SingleNodeSwarm.Network));

        var convert = await CommandRunner.SwarmEdgeAsync("convert", input, "-o", converted);
        output.WriteLine(convert.Error);
        Assert.Equal(0, convert.ExitCode);
        Assert.Contains($"edge: the TCP routes need SwarmEdge:Tcp:Entrypoints {DbEntrypoint}, {EchoEntrypoint}", convert.Error);
        var text = await File.ReadAllTextAsync(converted);
        output.WriteLine(text);
        Assert.Contains("# Web front", text);
        Assert.DoesNotContain("# http", text); // the port line and its comment went together
        Assert.DoesNotContain("ports:", text);

        await using var edge = await ProductionEdge.StartAsync(swarm, Port, new()
        {
            ["SwarmEdge:Tcp:Entrypoints:0"] = DbEntrypoint.ToString(),
            ["SwarmEdge:Tcp:Entrypoints:1"] = EchoEntrypoint.ToString(),
        });
        await Shell.DockerAsync("stack", "deploy", "--resolve-image", "never", "-c", converted, _stack);
        var services = new SwarmServices(SingleNodeSwarm.Network);
        foreach (var (service, replicas) in new[] { ("web", 2), ("db", 1), ("multi", 2) })
        {
            var name = $"{_stack}_{service}";
            await services.WaitForRunningAsync(name, replicas, TimeSpan.FromSeconds(120));
            using var inspect = JsonDocument.Parse((await Shell.DockerAsync("service", "inspect", name, "--format", "{{json .Spec}}")).Trimmed);
            Assert.Equal("dnsrr", inspect.RootElement.GetProperty("EndpointSpec").GetProperty("Mode").GetString());
            await ProductionEdge.WaitForEndpointsAsync(edge, name, replicas);
        }

        // Nothing is published any more: every port is reached through the edge.
        foreach (var service in new[] { "web", "db", "multi" })
        {
            Assert.Equal("[]", (await Shell.DockerAsync("service", "inspect", $"{_stack}_{service}", "--format", "{{json .Endpoint.Ports}}")).Trimmed.Replace("null", "[]"));
        }

        // Every former port, through the edge; the hosts are convert's placeholders, which a client can send as they are.
        var web = await GetAsync(edge, "web.example.com", "/w");
        Assert.StartsWith($"{_stack}_web.", web);
        var multi80 = await GetAsync(edge, "multi.example.com", "/m");
        Assert.StartsWith($"{_stack}_multi.", multi80);
        Assert.EndsWith("port=80", multi80);
        Assert.EndsWith("port=8081", await GetAsync(edge, "multi-8081.example.com", "/m"));
        Assert.Equal("42", (await PsqlAsync(edge, "select 40 + 2")).Trimmed);
        var listen = (await PsqlAsync(edge, "show listen_addresses")).Trimmed;
        Assert.Matches(@"^\d+\.\d+\.\d+\.\d+$", listen); // the task's own address, not '*'
        Assert.StartsWith($"{_stack}_multi.", await EchoAsync(edge));

        var results = new List<string>();
        results.Add(await UpdateUnderHttpLoadAsync(edge, "web", ["web.example.com"]));
        results.Add(await UpdateMultiUnderLoadAsync(edge));
        results.Add(await UpdateDbUnderLoadAsync(edge));
        Measurements.Record(output, "converted stack (db, multi-port, web) through SwarmEdge", string.Join("; ", results));
    }

    private async Task<string> UpdateUnderHttpLoadAsync(SwarmEdgeProcess edge, string service, string[] hosts)
    {
        var loads = hosts.Select(h => new LoadGenerator(edge.Proxy, h, 8).Start()).ToList();
        try
        {
            foreach (var load in loads)
            {
                await load.WaitForRequestsAsync(100, TimeSpan.FromSeconds(20));
            }

            await new SwarmServices(SingleNodeSwarm.Network).UpdateForceAsync($"{_stack}_{service}");
        }
        finally
        {
            foreach (var load in loads)
            {
                await load.StopAsync();
            }
        }

        var failures = loads.SelectMany(l => l.Failures).ToList();
        Assert.True(failures.Count == 0, $"{service}: {string.Join('\n', failures.Take(10))}");
        var summary = $"{service} update --force: {string.Join(", ", loads.Select((l, i) => $"{hosts[i]} {l.Requests} requests"))}, 0 failed";
        foreach (var load in loads)
        {
            await load.DisposeAsync();
        }

        return summary;
    }

    private async Task<string> UpdateMultiUnderLoadAsync(SwarmEdgeProcess edge)
    {
        using var stop = new CancellationTokenSource();
        var echoes = new List<string>();
        var echo = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    echoes.Add(await EchoAsync(edge) is { Length: > 0 } task ? "ok" : "empty");
                }
                catch (Exception ex) when (ex is IOException or SocketException or TimeoutException)
                {
                    echoes.Add(ex.Message);
                }
            }
        });
        var http = await UpdateUnderHttpLoadAsync(edge, "multi", ["multi.example.com", "multi-8081.example.com"]);
        await stop.CancelAsync();
        await echo;
        var failed = echoes.Where(e => e != "ok").ToList();
        Assert.True(failed.Count == 0, "echo connections failed:\n" + string.Join('\n', failed.Take(10)));
        return $"{http}; {echoes.Count} new TCP echo connections meanwhile, 0 failed";
    }

    private async Task<string> UpdateDbUnderLoadAsync(SwarmEdgeProcess edge)
    {
        using var stop = new CancellationTokenSource();
        var results = new List<string>();
        var client = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var result = await PsqlAsync(edge, "select 1", check: false);
                results.Add(result.ExitCode == 0 && result.Trimmed == "1" ? "ok" : $"exit {result.ExitCode}: {result.Error.Trim()}");
            }
        });

        await Eventually.HoldsAsync(() => results.Count >= 3, TimeSpan.FromSeconds(30), "psql runs through SwarmEdge");
        await new SwarmServices(SingleNodeSwarm.Network).UpdateForceAsync($"{_stack}_db");
        await stop.CancelAsync();
        await client;
        var failed = results.Where(r => r != "ok").ToList();
        Assert.True(failed.Count == 0, "psql failed:\n" + string.Join('\n', failed.Take(10)));
        return $"db update --force (start-first): {results.Count} new psql connections, 0 failed";
    }

    private async Task<string> GetAsync(SwarmEdgeProcess edge, string host, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(edge.Proxy, path));
        request.Headers.Host = host;
        using var response = await _http.SendAsync(request);
        var body = (await response.Content.ReadAsStringAsync()).Trim();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{host}{path}: {(int)response.StatusCode} {body}");
        return body;
    }

    private static Task<ShellResult> PsqlAsync(SwarmEdgeProcess edge, string sql, bool check = true) =>
        Shell.RunAsync("env", ["PGCONNECT_TIMEOUT=10", "psql", "-h", edge.Proxy.Host, "-p", DbEntrypoint.ToString(),
            "-U", "postgres", "-d", "postgres", "-tAc", sql], TimeSpan.FromSeconds(30), check);

    /// <summary>A new connection through the echo entrypoint: the task's host name, then an echo of a line.</summary>
    private static async Task<string> EchoAsync(SwarmEdgeProcess edge)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(edge.Proxy.Host, EchoEntrypoint).WaitAsync(TimeSpan.FromSeconds(10));
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var name = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)) ?? throw new IOException("closed before the task said its name");
        await stream.WriteAsync("ping\n"u8.ToArray());
        var back = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
        return back == "ping" ? name : throw new IOException($"echo answered '{back}'");
    }

    public async Task DisposeAsync()
    {
        await Shell.RunAsync("docker", ["stack", "rm", _stack], check: false);
        _http.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
