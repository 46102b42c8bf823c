using Microsoft.Extensions.Options;
using SwarmEdge.Admin;

namespace SwarmEdge.Acme;

/// <summary>
/// An edge's view of the certificates the issuer keeps in the swarm: every SwarmEdge:Acme:PollInterval it lists
/// the certificate configs (one filtered request), opens the new ones with the storage key, and writes the newest
/// valid certificate of each host to SwarmEdge:Acme:CertificateCache as acme-HOST.pem, which CertificateStore
/// serves like any certificate file (same checks, same last-good rule, same status and metrics). The edge never
/// writes to the swarm. When the Docker API cannot be read, the certificates already written keep serving.
/// It also lists the issuer's order locks and failures (sealed too), for /api/acme and the metrics: never its
/// account, which its socket proxy does not let through.
/// </summary>
internal sealed partial class StoredCertificateWatcher(
    IOptions<SwarmEdgeOptions> options,
    DockerConfigs configs,
    TimeProvider time,
    ILogger<StoredCertificateWatcher> logger) : BackgroundService
{
    private readonly AcmeOptions _acme = options.Value.Acme;
    private readonly Dictionary<string, StoredCertificate?> _opened = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _written = new(StringComparer.Ordinal);
    private StorageKey? _key;
    private volatile IReadOnlyList<AcmeHostStatus> _status = [];

    public IReadOnlyList<AcmeHostStatus> Status => _status;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_acme.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(_acme.PollInterval, time);
        do
        {
            try
            {
                var certificates = await configs.ListAsync(AcmeConfigKind.Certificate, stoppingToken);
                var orders = await configs.ListAsync(AcmeConfigKind.Order, stoppingToken);
                var failures = await configs.ListAsync(AcmeConfigKind.Failure, stoppingToken);
                Apply([.. certificates, .. orders, .. failures]);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Whatever broke (the Docker API, a write to the cache), the certificates already written serve on.
                SwarmEdgeMetrics.DiscoveryErrors.WithLabels("certificates").Inc();
                Log.ReadFailed(logger, ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Opens what is new, then brings the cache directory to the newest certificate of each host.</summary>
    internal void Apply(IReadOnlyList<AcmeConfig> all)
    {
        if (_key is null)
        {
            _key = StorageKey.Read(_acme.StorageKeyFile);
            PrepareCache();
        }

        var listed = all.Where(c => c.Kind == AcmeConfigKind.Certificate).ToList();
        foreach (var config in listed.Where(c => !_opened.ContainsKey(c.Name)))
        {
            var (certificate, error) = StoredCertificate.Open(_key!, config);
            _opened[config.Name] = certificate;
            if (error is not null)
            {
                Log.Refused(logger, config.Name, config.Host, error);
            }
        }

        var present = listed.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _opened.Keys.Where(n => !present.Contains(n)).ToList())
        {
            _opened.Remove(gone);
        }

        var view = new StoredView(_key!, all, [.. _opened.Values.OfType<StoredCertificate>()], time.GetUtcNow());
        var newest = view.Serving;
        foreach (var (host, certificate) in newest)
        {
            if (_written.GetValueOrDefault(host) == certificate.ConfigName)
            {
                continue;
            }

            Write(FileOf(host), certificate.Pem);
            _written[host] = certificate.ConfigName;
            Log.Serving(logger, host, certificate.ConfigName, certificate.NotAfter);
        }

        // A host whose certificate is gone from the swarm keeps the one written here until it expires (the store
        // drops it then): one empty list, from whoever removed the configs, must not take every edge's HTTPS down.
        foreach (var host in _written.Keys.Where(h => !newest.ContainsKey(h)).ToList())
        {
            _written.Remove(host);
            Log.NoLongerStored(logger, host);
        }

        _status = view.Status();
        SwarmEdgeMetrics.Clear(SwarmEdgeMetrics.AcmeOrderFailures);

        foreach (var status in _status)
        {
            SwarmEdgeMetrics.AcmeOrderFailures.WithLabels(status.Host).Set(status.Failures);
        }
    }

    private string FileOf(string host) => Path.Combine(_acme.CertificateCache, $"acme-{host}.pem");

    private void PrepareCache()
    {
        // Only this process's own: what an earlier run left may be stale.
        PrivateFiles.CreateDirectory(_acme.CertificateCache);
        foreach (var file in Directory.EnumerateFiles(_acme.CertificateCache, "acme-*.pem"))
        {
            File.Delete(file);
        }
    }

    private static void Write(string path, string pem)
    {
        // Renamed into place, so the certificate store never reads half a file.
        var temporary = Path.Combine(Path.GetDirectoryName(path)!, "." + Path.GetFileName(path) + ".tmp");
        PrivateFiles.Write(temporary, pem);
        File.Move(temporary, path, overwrite: true);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 800, Level = LogLevel.Information, Message = "Certificate for {Host} from the swarm ({Config}), valid until {NotAfter:u}")]
        public static partial void Serving(ILogger logger, string host, string config, DateTimeOffset notAfter);

        [LoggerMessage(EventId = 801, Level = LogLevel.Warning, Message = "Config {Config} (host {Host}) is labelled as a SwarmEdge certificate but is refused: {Error}")]
        public static partial void Refused(ILogger logger, string config, string host, string error);

        [LoggerMessage(EventId = 802, Level = LogLevel.Warning, Message = "No valid certificate for {Host} is stored in the swarm any more: the one served goes on until it expires")]
        public static partial void NoLongerStored(ILogger logger, string host);

        [LoggerMessage(EventId = 803, Level = LogLevel.Warning, Message = "Reading the certificates stored in the swarm failed: {Error}; the ones read before keep serving")]
        public static partial void ReadFailed(ILogger logger, string error);
    }
}
