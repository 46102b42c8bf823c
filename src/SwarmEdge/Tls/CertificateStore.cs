using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using SwarmEdge.Admin;

namespace SwarmEdge.Tls;

/// <summary>
/// The certificates the HTTPS entrypoint serves. Reads them when constructed (before the listener accepts), then
/// polls their files every SwarmEdge:Https:ReloadInterval: an added, replaced or removed file takes effect at the
/// next poll, by swapping the whole index; handshakes in flight keep the certificate they picked. A file that is
/// broken, expired or half written is an error (log, metric, admin API) and its last good version keeps serving.
/// </summary>
internal sealed partial class CertificateStore : BackgroundService
{
    private readonly HttpsOptions _https;
    private readonly TimeProvider _time;
    private readonly ILogger<CertificateStore> _logger;
    private readonly Dictionary<string, (string Signature, LoadResult Result)> _read = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ServableCertificate> _lastGood = new(StringComparer.Ordinal);
    private volatile CertificateIndex _index = CertificateIndex.Empty;
    private volatile IReadOnlyList<CertificateStatus> _status = [];
    private bool _published;
    private bool _directoryMissing;

    public CertificateStore(IOptions<SwarmEdgeOptions> options, TimeProvider time, ILogger<CertificateStore> logger)
    {
        _https = options.Value.Https;
        _time = time;
        _logger = logger;
        if (_https.Enabled)
        {
            Reload();
        }
    }

    public CertificateIndex Current => _index;

    public IReadOnlyList<CertificateStatus> Status => _status;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_https.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(_https.ReloadInterval, _time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                Reload();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The directory itself went away for a moment (a secret mount being replaced): the last index stays.
                Log.ReloadFailed(_logger, ex.Message);
            }
        }
    }

    /// <summary>Reads what changed since the last poll and swaps the index when anything did.</summary>
    internal void Reload()
    {
        var now = _time.GetUtcNow();
        var missing = _https.CertificateDirectory.Length > 0 && !Directory.Exists(_https.CertificateDirectory);
        if (missing != _directoryMissing)
        {
            // Docker creates /run/secrets only once a secret is given to the service: until then nothing serves.
            _directoryMissing = missing;
            if (missing)
            {
                Log.NoDirectory(_logger, _https.CertificateDirectory);
            }
        }

        var sources = CertificateFiles.Find(_https);
        var changed = false;
        foreach (var source in sources)
        {
            var signature = CertificateFiles.Signature(source);
            if (_read.TryGetValue(source.CertificateFile, out var known) && known.Signature == signature)
            {
                continue;
            }

            var result = CertificateFiles.Load(source, now);
            _read[source.CertificateFile] = (signature, result);
            changed = true;
            if (result.Certificate is { } loaded)
            {
                _lastGood[source.CertificateFile] = loaded;
                Log.Loaded(_logger, source.Name, string.Join(",", loaded.DnsNames), loaded.NotAfter);
            }
            else
            {
                Log.Broken(_logger, source.Name, result.Error!, _lastGood.ContainsKey(source.CertificateFile));
            }
        }

        var present = sources.Select(s => s.CertificateFile).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _read.Keys.Where(f => !present.Contains(f)).ToList())
        {
            _read.Remove(gone);
            _lastGood.Remove(gone);
            changed = true;
            Log.Removed(_logger, gone);
        }

        // Expiry is time, not files: a certificate that expires while it serves is dropped like a broken one.
        foreach (var (file, certificate) in _lastGood.Where(c => c.Value.NotAfter <= now).ToList())
        {
            _lastGood.Remove(file);
            changed = true;
            Log.Expired(_logger, certificate.Name, certificate.NotAfter);
        }

        if (changed || !_published)
        {
            Publish(sources, now);
            _published = true;
        }
        else
        {
            UpdateDaysLeft(now);
        }
    }

    private void Publish(ImmutableArray<CertificateSource> sources, DateTimeOffset now)
    {
        var serving = sources.Select(s => _lastGood.GetValueOrDefault(s.CertificateFile)).OfType<ServableCertificate>().ToList();
        var fallback = _https.DefaultCertificate.Length == 0 ? null : serving.FirstOrDefault(c => c.Name == _https.DefaultCertificate);
        _index = new CertificateIndex(serving, fallback);
        CertificateStatus[] status = [.. sources.Select(s =>
        {
            var result = _read[s.CertificateFile].Result;
            var good = _lastGood.GetValueOrDefault(s.CertificateFile);
            var shown = result.Certificate ?? good;
            return new CertificateStatus(s.Name, s.CertificateFile, shown?.DnsNames ?? [], shown?.NotAfter,
                shown is null ? null : Math.Round((shown.NotAfter - now).TotalDays, 1), good is not null,
                good is not null && ReferenceEquals(good, fallback),
                result.Error is null ? null : good is null ? result.Error : $"{result.Error}; serving the last good certificate until the file is fixed");
        })];
        _status = status;
        if (_https.DefaultCertificate.Length > 0 && fallback is null)
        {
            Log.NoDefault(_logger, _https.DefaultCertificate);
        }

        SwarmEdgeMetrics.Clear(SwarmEdgeMetrics.CertificateExpiry);
        SwarmEdgeMetrics.Clear(SwarmEdgeMetrics.CertificateErrors);

        UpdateDaysLeft(now);
    }

    private void UpdateDaysLeft(DateTimeOffset now)
    {
        foreach (var status in _status)
        {
            if (status.NotAfter is { } notAfter)
            {
                SwarmEdgeMetrics.CertificateExpiry.WithLabels(status.Name).Set((notAfter - now).TotalDays);
            }

            SwarmEdgeMetrics.CertificateErrors.WithLabels(status.Name).Set(status.Error is null ? 0 : 1);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "Certificate {Name}: serving {Hosts}, valid until {NotAfter:u}")]
        public static partial void Loaded(ILogger logger, string name, string hosts, DateTimeOffset notAfter);

        [LoggerMessage(EventId = 601, Level = LogLevel.Error, Message = "Certificate {Name} cannot be served: {Error} (its last good version serves: {KeepsServing})")]
        public static partial void Broken(ILogger logger, string name, string error, bool keepsServing);

        [LoggerMessage(EventId = 602, Level = LogLevel.Information, Message = "Certificate file {File} is gone: no longer served")]
        public static partial void Removed(ILogger logger, string file);

        [LoggerMessage(EventId = 603, Level = LogLevel.Error, Message = "Certificate {Name} expired at {NotAfter:u}: no longer served")]
        public static partial void Expired(ILogger logger, string name, DateTimeOffset notAfter);

        [LoggerMessage(EventId = 604, Level = LogLevel.Warning,
            Message = "SwarmEdge:Https:DefaultCertificate {Name} is not a certificate that serves: names that match no certificate are refused")]
        public static partial void NoDefault(ILogger logger, string name);

        [LoggerMessage(EventId = 606, Level = LogLevel.Warning,
            Message = "SwarmEdge:Https:CertificateDirectory {Directory} does not exist (yet): HTTPS handshakes are refused until certificates appear there")]
        public static partial void NoDirectory(ILogger logger, string directory);

        [LoggerMessage(EventId = 605, Level = LogLevel.Warning, Message = "Reading the certificates failed: {Error}; the last ones keep serving")]
        public static partial void ReloadFailed(ILogger logger, string error);
    }
}
