using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace SwarmEdge.IntegrationTests.Lab;

/// <summary>The real SwarmEdge binary, run inside the sidecar's network namespace, with its log captured.</summary>
internal sealed class SwarmEdgeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log = new();
    private readonly HttpClient _admin;

    /// <summary>
    /// The admin token of every lab SwarmEdge: the tests reach the admin API from the host, so it listens on
    /// the sidecar's addresses, which needs a token.
    /// </summary>
    public static readonly string AdminToken = "lab-" + Guid.NewGuid().ToString("N");

    private static readonly Lazy<string> TokenFile = new(() =>
    {
        var path = Path.Combine(RepoPaths.Root, "artifacts", "lab-admin-token");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, AdminToken + "\n");
        return path;
    });

    /// <summary>The file holding AdminToken, as the edges are given it (SwarmEdge:Admin:TokenFile).</summary>
    public static string AdminTokenFile => TokenFile.Value;

    private SwarmEdgeProcess(Process process, Uri proxy, Uri admin)
    {
        _process = process;
        Proxy = proxy;
        Admin = admin;
        _admin = new HttpClient { BaseAddress = admin, Timeout = TimeSpan.FromSeconds(5) };
        _admin.DefaultRequestHeaders.Authorization = new("Bearer", AdminToken);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) _log.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _log.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri Proxy { get; }

    public Uri Admin { get; }

    public string Log => string.Join('\n', _log);

    public bool HasExited => _process.HasExited;

    public static SwarmEdgeProcess Start(EdgeSidecar sidecar, int proxyPort, int adminPort, IReadOnlyDictionary<string, string> settings)
    {
        var info = Command(sidecar);

        var all = new Dictionary<string, string>
        {
            ["SwarmEdge:Proxy:Port"] = proxyPort.ToString(),
            ["SwarmEdge:Admin:Port"] = adminPort.ToString(),
            ["SwarmEdge:Admin:Address"] = "0.0.0.0",
            ["SwarmEdge:Admin:TokenFile"] = TokenFile.Value,
            ["SwarmEdge:Dns:Server"] = "127.0.0.11",
            // Most tests reach their services by name and some by path alone, as SwarmEdge allowed before
            // route ownership; the tenant tests (Hostile/) run with the production defaults instead.
            ["SwarmEdge:Routing:DefaultHost"] = "{service}",
            ["SwarmEdge:Routing:AllowHostlessRoutes"] = "true",
            ["Logging:LogLevel:SwarmEdge"] = "Debug",
            // Tests stop their edges often and nothing fronts them: no grace (GracefulShutdownTests sets one).
            ["SwarmEdge:Shutdown:Grace"] = "00:00:00",
        };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        foreach (var (key, value) in all)
        {
            info.ArgumentList.Add($"--{key}={value}");
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start SwarmEdge");
        return new SwarmEdgeProcess(process, new Uri($"http://{sidecar.Address}:{proxyPort}/"), new Uri($"http://{sidecar.Address}:{adminPort}/"));
    }

    /// <summary>swarmedge issuer in the sidecar's namespace (it has no proxy or admin port: Proxy and Admin mean nothing).</summary>
    public static SwarmEdgeProcess StartIssuer(EdgeSidecar sidecar, IReadOnlyDictionary<string, string> settings,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = Command(sidecar, "issuer");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        foreach (var (key, value) in settings.Append(KeyValuePair.Create("Logging:LogLevel:SwarmEdge", "Debug")))
        {
            info.ArgumentList.Add($"--{key}={value}");
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the issuer");
        return new SwarmEdgeProcess(process, new Uri($"http://{sidecar.Address}:1/"), new Uri($"http://{sidecar.Address}:1/"));
    }

    private static ProcessStartInfo Command(EdgeSidecar sidecar, params string[] arguments)
    {
        var info = new ProcessStartInfo("nsenter")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["-t", sidecar.Pid.ToString(), "-n", RepoPaths.SwarmEdgeBinary, .. arguments])
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    public async Task WaitReadyAsync(TimeSpan timeout) =>
        await Eventually.HoldsAsync(async () =>
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"SwarmEdge exited with {_process.ExitCode}:\n{Log}");
            }

            try
            {
                return (await _admin.GetAsync("readyz")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, timeout, "SwarmEdge reports ready on /readyz");

    public async Task<HttpResponseMessage> GetAdminAsync(string path) => await _admin.GetAsync(path);

    /// <summary>SIGTERM, as docker stop sends it.</summary>
    public async Task TerminateAsync()
    {
        using var term = Process.Start("kill", ["-TERM", _process.Id.ToString()])!;
        await term.WaitForExitAsync();
    }

    /// <summary>The exit code once the process has exited, within the timeout.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>The sum of the /metrics samples whose line starts with this (a metric name, with labels or "{").</summary>
    public async Task<long> MetricAsync(string linePrefix)
    {
        var text = await _admin.GetStringAsync("metrics");
        return text.Split('\n')
            .Where(l => l.StartsWith(linePrefix, StringComparison.Ordinal))
            .Sum(l => (long)double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    /// <summary>The admin API's view of one service, or null when SwarmEdge does not list it.</summary>
    public async Task<JsonElement?> ServiceAsync(string name)
    {
        var doc = await _admin.GetFromJsonAsync<JsonElement>("api/services");
        foreach (var service in doc.GetProperty("services").EnumerateArray())
        {
            if (service.GetProperty("name").GetString() == name)
            {
                return service;
            }
        }

        return null;
    }

    public async Task<int> EndpointCountAsync(string service) =>
        await ServiceAsync(service) is { } s ? s.GetProperty("endpoints").GetArrayLength() : 0;

    public async ValueTask DisposeAsync()
    {
        _admin.Dispose();
        if (!_process.HasExited)
        {
            // SIGTERM first: SwarmEdge shuts down gracefully like under docker stop.
            using var term = Process.Start("kill", ["-TERM", _process.Id.ToString()]);
            await term.WaitForExitAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.WaitForExit(); // drains the output readers
        _process.Dispose();

        // Every run's log stays in artifacts/swarmedge-logs for a failure to be read after the fact (CI too).
        var dir = Path.Combine(RepoPaths.Root, "artifacts", "swarmedge-logs");
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, $"{DateTime.UtcNow:yyyyMMdd-HHmmss.fff}-{Proxy.Port}.log"), Log + "\n");
    }
}
