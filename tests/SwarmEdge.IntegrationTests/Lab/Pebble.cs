using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace SwarmEdge.IntegrationTests.Lab;

/// <summary>
/// Pebble, the ACME test CA (Debian's package), on the lab host, with pebble-challtestsrv as the DNS server it
/// resolves names with: every name resolves to the edge's address, where Pebble checks HTTP-01 on the edge's
/// plain-HTTP port. Pebble keeps everything in memory: a restart forgets its accounts and orders. Orders are
/// counted from its log ("Added order"), since it has no API that lists them.
/// </summary>
internal sealed class Pebble : IAsyncDisposable
{
    private const int Port = 14000;
    private const int ManagementPort = 15000;
    private const int DnsPort = 18053;
    private const int ManagementApiPort = 18055;
    private readonly ConcurrentQueue<string> _log = new();
    private readonly LabCertificates _tls = new();
    private readonly string _config;
    private readonly string _listenOn;
    private Process? _pebble;
    private Process? _dns;

    private Pebble(string listenOn, string edgeAddress, int httpPort, int validitySeconds)
    {
        _listenOn = listenOn;
        EdgeAddress = edgeAddress;
        _tls.Issue("pebble", listenOn, "127.0.0.1");
        _config = Path.Combine(_tls.Directory, "pebble.json");
        File.WriteAllText(_config, JsonSerializer.Serialize(new
        {
            pebble = new
            {
                listenAddress = $"0.0.0.0:{Port}",
                managementListenAddress = $"0.0.0.0:{ManagementPort}",
                certificate = Path.Combine(_tls.Directory, "pebble.crt"),
                privateKey = Path.Combine(_tls.Directory, "pebble.key"),
                httpPort,
                tlsPort = 5001,
                ocspResponderURL = "",
                externalAccountBindingRequired = false,
                certificateValidityPeriod = validitySeconds,
            },
        }));
    }

    public string EdgeAddress { get; }

    /// <summary>The directory URL, at the lab host's address as seen from the edge's network namespace.</summary>
    public string DirectoryUrl => $"https://{_listenOn}:{Port}/dir";

    /// <summary>The CA of Pebble's own TLS (for the ACME client: LEGO_CA_CERTIFICATES).</summary>
    public string TlsCaFile => _tls.CaFile;

    public int Orders => _log.Count(l => l.Contains("Added order", StringComparison.Ordinal));

    public int Issued => _log.Count(l => l.Contains("Issued certificate serial", StringComparison.Ordinal));

    public string Log => string.Join('\n', _log);

    /// <summary>The DNS server Pebble resolves names and DNS-01 records with (pebble-challtestsrv).</summary>
    public string DnsServer => $"{_listenOn}:{DnsPort}";

    /// <summary>pebble-challtestsrv's management API: /set-txt and /clear-txt for DNS-01, /set-default-ipv4.</summary>
    public string Management => $"http://{_listenOn}:{ManagementApiPort}";

    /// <param name="listenOn">The lab host's address the edge's namespace reaches (its default gateway).</param>
    public static async Task<Pebble> StartAsync(string listenOn, string edgeAddress, int httpPort, int validitySeconds = 0)
    {
        // Debian's pebble and lego: tests/lab/swarm-up.sh installs them with the rest of the lab.
        var pebble = new Pebble(listenOn, edgeAddress, httpPort, validitySeconds);
        await pebble.StartProcessesAsync();
        return pebble;
    }

    /// <summary>Pebble's issuing root, which the test's HTTPS clients trust (it differs on every start).</summary>
    public async Task<X509Certificate2> RootAsync()
    {
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
        return X509Certificate2.CreateFromPem(await http.GetStringAsync($"https://127.0.0.1:{ManagementPort}/roots/0"));
    }

    /// <summary>From now on every name resolves to this address (pebble-challtestsrv's management API).</summary>
    public async Task ResolveToAsync(string address)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var response = await http.PostAsync($"{Management}/set-default-ipv4", new StringContent($"{{\"ip\":\"{address}\"}}"));
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The CA unreachable: both processes stopped.</summary>
    public async Task StopAsync()
    {
        foreach (var process in new[] { _pebble, _dns }.OfType<Process>())
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }

        _pebble = null;
        _dns = null;
    }

    /// <summary>Back after a stop, with a new root and no memory of accounts or orders.</summary>
    public Task StartAgainAsync() => StartProcessesAsync();

    private async Task StartProcessesAsync()
    {
        // On the address the edges' namespace reaches: the issuer's DNS-01 hook sets records through the management API.
        _dns = Run("pebble-challtestsrv", ["-defaultIPv4", EdgeAddress, "-defaultIPv6", "", "-dns01", DnsServer,
            "-http01", "", "-https01", "", "-tlsalpn01", "", "-management", $"{_listenOn}:{ManagementApiPort}"], new Dictionary<string, string>());
        _pebble = Run("pebble", ["-config", _config, "-dnsserver", DnsServer], new Dictionary<string, string>
        {
            ["PEBBLE_VA_NOSLEEP"] = "1",
            ["PEBBLE_WFE_NONCEREJECT"] = "0",
            ["PEBBLE_AUTHZREUSE"] = "0",
        });
        await Eventually.HoldsAsync(async () => await TcpPort.AcceptsAsync("127.0.0.1", Port, TimeSpan.FromSeconds(1))
                                                && await TcpPort.AcceptsAsync("127.0.0.1", ManagementPort, TimeSpan.FromSeconds(1)),
            TimeSpan.FromSeconds(20), "pebble listens", TimeSpan.FromMilliseconds(100));
    }

    private Process Run(string file, string[] args, Dictionary<string, string> environment)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) _log.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _log.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _tls.Dispose();
    }
}
