using Microsoft.Extensions.Options;
using SwarmEdge.Catalog;
using SwarmEdge.Discovery;

namespace SwarmEdge.Acme;

/// <summary>
/// swarmedge issuer: the one service that talks to the CA and writes to the swarm (through its own socket proxy,
/// which allows only the reads below, creating SwarmEdge's configs and removing them by name). Every PollInterval
/// it reads the opted-in services and builds the same catalog the edges do (so the host policy and route
/// ownership decide what may be ordered), reads its configs, and orders what OrderPlan says is due, one host at
/// a time. An order is placed only while its lock config exists: the swarm's Raft store creates a name once, so
/// a second issuer (a replacement while the old one is cut off) cannot order the same host at the same time; a
/// lock left by an issuer that died is taken over once it is older than twice the order timeout. Certificates,
/// failures and the account are stored sealed; the edges read the certificates.
/// </summary>
internal sealed partial class Issuer(
    IOptions<SwarmEdgeOptions> options,
    SwarmReader reader,
    DockerConfigs configs,
    LegoClient lego,
    TimeProvider time,
    ILogger<Issuer> logger) : BackgroundService
{
    private readonly SwarmEdgeOptions _options = options.Value;
    private readonly AcmeOptions _acme = options.Value.Acme;
    private readonly string _name = Environment.MachineName;
    private StorageKey _key = null!;
    private SwarmSnapshot _snapshot = SwarmSnapshot.Empty;
    private ServiceCatalog _catalog = ServiceCatalog.Empty;
    private readonly HashSet<string> _reportedWildcards = new(StringComparer.Ordinal);
    private bool _accountStored;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _key = StorageKey.Read(_acme.StorageKeyFile);
        PrivateFiles.CreateDirectory(_acme.WorkDirectory);
        Log.Started(logger, _acme.DirectoryUrl, _acme.Email);
        using var timer = new PeriodicTimer(_acme.PollInterval, time);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or TimeoutException or Docker.DotNet.DockerApiException
                                           or Polly.Timeout.TimeoutRejectedException or System.Text.Json.JsonException or IOException
                                       && !stoppingToken.IsCancellationRequested)
            {
                Log.ReadFailed(logger, ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    internal async Task RunOnceAsync(CancellationToken ct)
    {
        _snapshot = await reader.ReadAsync(ReadPlan.All, _snapshot, ct);
        _catalog = CatalogBuilder.Build(_snapshot, _catalog, _options.Networks, _options.Tcp.Entrypoints, RoutingPolicy.From(_options.Routing));
        var (hosts, wildcards) = AcmeHosts.Of(_catalog, _acme.AllRoutes);
        foreach (var wildcard in wildcards.Where(_reportedWildcards.Add))
        {
            Log.WildcardSkipped(logger, wildcard);
        }

        var stored = await configs.ListAsync(null, ct);
        await RestoreAccountAsync(stored, ct);
        var now = time.GetUtcNow();
        var certificates = stored.Where(c => c.Kind == AcmeConfigKind.Certificate)
            .Select(c => StoredCertificate.Open(_key, c).Certificate).OfType<StoredCertificate>().ToList();
        var newest = StoredCertificate.Newest(certificates, now);
        var failures = Latest(stored, AcmeConfigKind.Failure)
            .Select(c => AcmePayloads.Open<FailurePayload>(_key, c)).OfType<FailurePayload>()
            .ToDictionary(f => f.Host, StringComparer.Ordinal);

        foreach (var order in OrderPlan.Due(hosts, newest, failures, now, _acme.RenewWhenLeft))
        {
            await OrderAsync(order, stored, failures.GetValueOrDefault(order.Host), ct);
        }

        // Certificates that can no longer serve, and those a newer valid one replaced.
        foreach (var certificate in certificates.Where(c => c.NotAfter <= now
                     || newest.TryGetValue(c.Host, out var best) && best.ConfigName != c.ConfigName && c.NotAfter <= best.NotAfter))
        {
            await configs.RemoveAsync(certificate.ConfigName, ct);
        }
    }

    private async Task OrderAsync(DueOrder order, IReadOnlyList<AcmeConfig> stored, FailurePayload? lastFailure, CancellationToken ct)
    {
        var lockName = AcmeConfigNames.Order(order.Host);
        var started = time.GetUtcNow();
        if (stored.FirstOrDefault(c => c.Name == lockName) is { } held)
        {
            if (started - held.CreatedAt < 2 * _acme.OrderTimeout)
            {
                Log.OrderHeld(logger, order.Host, held.CreatedAt);
                return;
            }

            Log.OrderAbandoned(logger, order.Host, held.CreatedAt);
            await configs.RemoveAsync(lockName, ct);
        }

        if (!await configs.CreateAsync(lockName, AcmeConfigKind.Order, order.Host,
                AcmePayloads.Seal(_key, AcmeConfigKind.Order, order.Host, new OrderPayload(order.Host, _name, started)), ct))
        {
            Log.OrderHeld(logger, order.Host, started);
            return;
        }

        try
        {
            Log.Ordering(logger, order.Host, order.Reason);
            var (certificate, error) = await lego.OrderAsync(order.Host, ct);
            var now = time.GetUtcNow();
            var previousFailures = stored.Where(c => c.Kind == AcmeConfigKind.Failure && c.Host == order.Host).Select(c => c.Name).ToList();
            if (certificate is not null)
            {
                await configs.CreateAsync(AcmeConfigNames.Certificate(order.Host, now), AcmeConfigKind.Certificate, order.Host,
                    AcmePayloads.Seal(_key, AcmeConfigKind.Certificate, order.Host, certificate), ct);
                Log.Issued(logger, order.Host, (now - started).TotalSeconds);
                await StoreAccountAsync(stored, ct);
            }
            else
            {
                var failures = (lastFailure?.Failures ?? 0) + 1;
                var next = OrderPlan.NextAttempt(failures, now, _acme.RetryAfter, _acme.MaxRetryAfter);
                await configs.CreateAsync(AcmeConfigNames.Failure(order.Host, now), AcmeConfigKind.Failure, order.Host,
                    AcmePayloads.Seal(_key, AcmeConfigKind.Failure, order.Host, new FailurePayload(order.Host, error!, failures, now, next)), ct);
                Log.OrderFailed(logger, order.Host, failures, error!, next);
            }

            foreach (var name in previousFailures)
            {
                await configs.RemoveAsync(name, ct);
            }
        }
        finally
        {
            await configs.RemoveAsync(lockName, CancellationToken.None);
        }
    }

    /// <summary>Puts the stored account back where lego looks for it, once, before the first order.</summary>
    private async Task RestoreAccountAsync(IReadOnlyList<AcmeConfig> stored, CancellationToken ct)
    {
        var name = AcmeConfigNames.Account(_acme.DirectoryUrl, _acme.Email);
        if (_accountStored || stored.FirstOrDefault(c => c.Name == name) is not { } config)
        {
            return;
        }

        _accountStored = true;
        if (AcmePayloads.Open<AccountPayload>(_key, config) is not { } account || Directory.Exists(lego.AccountsDirectory))
        {
            return;
        }

        foreach (var (path, content) in account.Files)
        {
            var full = Path.GetFullPath(Path.Combine(lego.AccountsDirectory, path));
            if (!full.StartsWith(lego.AccountsDirectory + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                continue;
            }

            PrivateFiles.CreateDirectory(Path.GetDirectoryName(full)!);
            PrivateFiles.Write(full, content);
        }

        Log.AccountRestored(logger, _acme.Email);
    }

    private async Task StoreAccountAsync(IReadOnlyList<AcmeConfig> stored, CancellationToken ct)
    {
        var name = AcmeConfigNames.Account(_acme.DirectoryUrl, _acme.Email);
        if (_accountStored || stored.Any(c => c.Name == name) || !Directory.Exists(lego.AccountsDirectory))
        {
            _accountStored |= stored.Any(c => c.Name == name);
            return;
        }

        var files = Directory.EnumerateFiles(lego.AccountsDirectory, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(lego.AccountsDirectory, f), File.ReadAllText, StringComparer.Ordinal);
        await configs.CreateAsync(name, AcmeConfigKind.Account, "", AcmePayloads.Seal(_key, AcmeConfigKind.Account, "", new AccountPayload(files)), ct);
        _accountStored = true;
    }

    private static IEnumerable<AcmeConfig> Latest(IEnumerable<AcmeConfig> stored, AcmeConfigKind kind) =>
        stored.Where(c => c.Kind == kind).GroupBy(c => c.Host, StringComparer.Ordinal).Select(g => g.MaxBy(c => c.CreatedAt)!);

    private static partial class Log
    {
        [LoggerMessage(EventId = 900, Level = LogLevel.Information, Message = "Issuer started: CA {Directory}, account {Email}")]
        public static partial void Started(ILogger logger, string directory, string email);

        [LoggerMessage(EventId = 901, Level = LogLevel.Information, Message = "Ordering a certificate for {Host} ({Reason})")]
        public static partial void Ordering(ILogger logger, string host, string reason);

        [LoggerMessage(EventId = 902, Level = LogLevel.Information, Message = "Certificate for {Host} issued and stored in the swarm after {Seconds:0.0} s")]
        public static partial void Issued(ILogger logger, string host, double seconds);

        [LoggerMessage(EventId = 903, Level = LogLevel.Error, Message = "Order for {Host} failed ({Failures} in a row): {Error}; next attempt at {Next:u}")]
        public static partial void OrderFailed(ILogger logger, string host, int failures, string error, DateTimeOffset next);

        [LoggerMessage(EventId = 904, Level = LogLevel.Information, Message = "An order for {Host} is in progress elsewhere (since {Since:u}): not ordering it again")]
        public static partial void OrderHeld(ILogger logger, string host, DateTimeOffset since);

        [LoggerMessage(EventId = 905, Level = LogLevel.Warning, Message = "The order lock for {Host} from {Since:u} was abandoned: taking it over")]
        public static partial void OrderAbandoned(ILogger logger, string host, DateTimeOffset since);

        [LoggerMessage(EventId = 906, Level = LogLevel.Warning, Message = "Reading the swarm or its configs failed: {Error}; trying again at the next poll")]
        public static partial void ReadFailed(ILogger logger, string error);

        [LoggerMessage(EventId = 907, Level = LogLevel.Warning, Message = "{Host} is a wildcard: its certificate needs a DNS-01 challenge, which SwarmEdge does not offer; not ordered")]
        public static partial void WildcardSkipped(ILogger logger, string host);

        [LoggerMessage(EventId = 908, Level = LogLevel.Information, Message = "ACME account {Email} restored from the swarm")]
        public static partial void AccountRestored(ILogger logger, string email);
    }
}
