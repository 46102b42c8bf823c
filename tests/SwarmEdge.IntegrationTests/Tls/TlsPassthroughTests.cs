using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using SwarmEdge.IntegrationTests.Hostile;
using SwarmEdge.IntegrationTests.Lab;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Tls;

/// <summary>
/// Two TLS services on one TCP entrypoint, chosen by the SNI of the client's ClientHello, TLS passing through the
/// edge untouched: PostgreSQL with TLS (psql sslmode=verify-full, certificate from Docker secrets) and a TLS echo
/// (socat). The tasks terminate TLS with their own certificates; the edge never sees a key.
/// </summary>
[Collection(SingleNodeSwarmCollection.Name)]
public sealed class TlsPassthroughTests(SingleNodeSwarm swarm, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Port = 18416; // proxy; admin +1
    private const int Entrypoint = 25443;
    private readonly SwarmServices _services = swarm.NewServices();
    private readonly LabCertificates _certificates = new();
    private readonly List<string> _secrets = [];

    [Fact]
    public async Task Psql_and_a_tls_echo_share_an_entrypoint_by_server_name()
    {
        await using var edge = await ProductionEdge.StartAsync(swarm, Port, new() { ["SwarmEdge:Tcp:Entrypoints:0"] = Entrypoint.ToString() });
        _certificates.Issue("db", "db.test");
        _certificates.Issue("echo", "echo.test");
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var dbCrt = await SecretAsync($"it-db-crt-{suffix}", Path.Combine(_certificates.Directory, "db.crt"));
        var dbKey = await SecretAsync($"it-db-key-{suffix}", Path.Combine(_certificates.Directory, "db.key"));
        var echoPem = Path.Combine(_certificates.Directory, "echo.combined");
        await File.WriteAllTextAsync(echoPem, await File.ReadAllTextAsync(Path.Combine(_certificates.Directory, "echo.crt")) +
                                              await File.ReadAllTextAsync(Path.Combine(_certificates.Directory, "echo.key")));
        var echoSecret = await SecretAsync($"it-echo-pem-{suffix}", echoPem);

        var db = SwarmServices.UniqueName("tlsdb");
        var echo = SwarmServices.UniqueName("tlsecho");
        await Task.WhenAll(
            _services.CreateFromAsync("swarmedge-lab/postgres:latest", db, 1, Labels(5432, "db.test"),
                "--secret", $"source={dbCrt},target=server.crt,uid=100,gid=102,mode=0444",
                "--secret", $"source={dbKey},target=server.key,uid=100,gid=102,mode=0600",
                "--update-order", "start-first",
                "--entrypoint", "/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main -c config_file=/etc/postgresql/15/main/postgresql.conf " +
                                "-c ssl=on -c ssl_cert_file=/run/secrets/server.crt -c ssl_key_file=/run/secrets/server.key"),
            _services.CreateFromAsync("swarmedge-lab/tcpecho:latest", echo, 2, Labels(7443, "echo.test"),
                "--secret", $"source={echoSecret},target=echo.pem,mode=0444",
                "--entrypoint", "socat OPENSSL-LISTEN:7443,fork,reuseaddr,cert=/run/secrets/echo.pem,verify=0 EXEC:/usr/local/bin/echo-with-name"));
        await ProductionEdge.WaitForEndpointsAsync(edge, db, 1);
        await ProductionEdge.WaitForEndpointsAsync(edge, echo, 2);

        // psql with TLS, verifying the database's own certificate for db.test: the edge only passed TLS through.
        var ssl = await PsqlAsync(edge, "select ssl from pg_stat_ssl where pid = pg_backend_pid()");
        Assert.True(ssl.ExitCode == 0, ssl.Error);
        Assert.Equal("t", ssl.Trimmed);

        // The echo, chosen by its name on the same port: TLS from the task (its certificate), then its name and an echo.
        var echoTasks = (await _services.RunningTasksAsync(echo)).Select(t => t.Id).ToHashSet();
        var (name, back) = await EchoAsync(edge, "echo.test");
        Assert.Contains(LoadGenerator.TaskIdOf(name), echoTasks);
        Assert.Equal("ping", back);

        // A name nobody serves on this entrypoint (and no plain route): closed during the handshake, at once.
        var refused = await Record.ExceptionAsync(() => EchoAsync(edge, "nobody.test"));
        Assert.True(refused is IOException or AuthenticationException, $"expected the handshake to be cut, got {refused}");

        // New TLS connections to both during a rolling update of the database (start-first).
        var results = new List<string>();
        using var stop = new CancellationTokenSource();
        var client = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var r = await PsqlAsync(edge, "select 1");
                results.Add(r.ExitCode == 0 && r.Trimmed == "1" ? "ok" : $"psql: {r.Error.Trim()}");
                try
                {
                    results.Add((await EchoAsync(edge, "echo.test")).Back == "ping" ? "ok" : "echo: wrong answer");
                }
                catch (Exception ex) when (ex is IOException or SocketException or AuthenticationException or TimeoutException)
                {
                    results.Add($"echo: {ex.Message}");
                }
            }
        });
        await Eventually.HoldsAsync(() => results.Count >= 4, TimeSpan.FromSeconds(30), "TLS connections flow");
        await _services.UpdateForceAsync(db);
        await stop.CancelAsync();
        await client;
        var failed = results.Where(r => r != "ok").ToList();
        Measurements.Record(output, "TLS passthrough by SNI (PostgreSQL sslmode=verify-full and a TLS echo on one entrypoint)",
            $"both reached by name; during the database's update --force: {results.Count} new TLS connections, {failed.Count} failed");
        Assert.True(failed.Count == 0, string.Join('\n', failed.Take(10)));
    }

    private static Dictionary<string, string> Labels(int port, string sni) => new()
    {
        ["swarmedge.enable"] = "true",
        ["swarmedge.tcp.port"] = port.ToString(),
        ["swarmedge.tcp.entrypoint"] = Entrypoint.ToString(),
        ["swarmedge.tcp.sni"] = sni,
    };

    private async Task<string> SecretAsync(string name, string file)
    {
        await Shell.DockerAsync("secret", "create", name, file);
        _secrets.Add(name);
        return name;
    }

    private Task<ShellResult> PsqlAsync(SwarmEdgeProcess edge, string sql) =>
        Shell.RunAsync("env", ["PGCONNECT_TIMEOUT=10", $"PGSSLROOTCERT={_certificates.CaFile}", "psql",
            $"host=db.test hostaddr={edge.Proxy.Host} port={Entrypoint} sslmode=verify-full user=postgres dbname=postgres",
            "-tAc", sql], TimeSpan.FromSeconds(30), check: false);

    private async Task<(string Name, string? Back)> EchoAsync(SwarmEdgeProcess edge, string serverName)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(edge.Proxy.Host, Entrypoint).WaitAsync(TimeSpan.FromSeconds(10));
        await using var tls = new SslStream(tcp.GetStream(), false, (_, certificate, _, errors) =>
            new HttpsClient(new System.Net.IPEndPoint(0, 0), _certificates.Ca).Trusts(certificate, errors));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = serverName }).WaitAsync(TimeSpan.FromSeconds(10));
        using var reader = new StreamReader(tls, Encoding.ASCII);
        var name = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)) ?? throw new IOException("closed before the task said its name");
        await tls.WriteAsync("ping\n"u8.ToArray());
        return (name, await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        foreach (var secret in _secrets)
        {
            await Shell.RunAsync("docker", ["secret", "rm", secret], check: false);
        }

        _certificates.Dispose();
    }
}
