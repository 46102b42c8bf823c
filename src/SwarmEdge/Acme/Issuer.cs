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
/// a second issuer (a replacement while the old one is cut off) cannot order the same host at the same time, and
/// with the lock held the issuer reads the swarm again, so an order another issuer just finished is not placed
/// twice. A lock left by an issuer that died is taken over once this issuer has seen it for twice the order
/// timeout. Certificates, failures and the account are stored sealed; the edges read the certificates.
/// </summary>
internal sealed partial class Issuer(
    IOptions<SwarmEdgeOptions> options,
    SwarmReader reader,
    DockerConfigs configs,
    LegoClient lego,
    ChallengeRouteCheck challenges,
    TimeProvider time,
    ILogger<Issuer> logger) : BackgroundService
{
    private readonly SwarmEdgeOptions _options = options.Value;
    private readonly AcmeOptions _acme = options.Value.Acme;
    private readonly string _name = Environment.MachineName;
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);
    // Locks held by someone else, by config ID (a name comes back with every new lock), and when first seen here.
    private readonly Dictionary<string, DateTimeOffset> _locksSeen = new(StringComparer.Ordinal);
    // Our own locks whose removal failed: removed again every poll until it works.
    private readonly HashSet<string> _unreleased = new(StringComparer.Ordinal);
    // Orders that failed here for a reason the swarm could not record (the Docker API refused a write, ...): they
    // wait like stored failures, in memory, so a broken write does not turn into an order every poll.
    private readonly Dictionary<string, (int Failures, DateTimeOffset Next)> _localFailures = new(StringComparer.Ordinal);
    // Certificates issued whose storing failed: stored before anything is ordered again, not thrown away.
    private readonly Dictionary<string, CertificatePayload> _unstored = new(StringComparer.Ordinal);
    private StorageKey _key = null!;
    private SwarmSnapshot _snapshot = SwarmSnapshot.Empty;
    private ServiceCatalog _catalog = ServiceCatalog.Empty;
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
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Whatever went wrong, the next poll tries again: the issuer must not stop.
                Log.PollFailed(logger, ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    internal async Task RunOnceAsync(CancellationToken ct)
    {
        _snapshot = await reader.ReadAsync(ReadPlan.All, _snapshot, ct);
        _catalog = CatalogBuilder.Build(_snapshot, _catalog, _options.Networks, _options.Tcp.Entrypoints, RoutingPolicy.From(_options.Routing));
        var (hosts, skipped) = AcmeHosts.Of(_catalog, _acme.AllRoutes, wildcards: _acme.DnsProvider.Length > 0);
        foreach (var (host, reason) in skipped.Where(s => _reported.Add(s.Host)))
        {
            Log.HostSkipped(logger, host, reason);
        }

        var stored = await configs.ListAsync(null, ct);
        RestoreAccount(stored);
        foreach (var id in _locksSeen.Keys.Where(id => !stored.Any(c => c.Id == id)).ToList())
        {
            _locksSeen.Remove(id);
        }

        foreach (var name in _unreleased.ToList())
        {
            await configs.RemoveAsync(name, ct);
            _unreleased.Remove(name);
        }

        foreach (var (host, certificate) in _unstored.Where(u => hosts.Contains(u.Key)).ToList())
        {
            await StoreCertificateAsync(host, certificate, ct);
            _unstored.Remove(host);
        }

        var now = time.GetUtcNow();
        var view = StoredView.Open(_key, stored, now);
        var requests = view.Requests;
        foreach (var order in OrderPlan.Due(hosts, view.Latest, view.Failures, now, _acme.RenewWhenLeft, requests.Keys.ToHashSet(StringComparer.Ordinal)))
        {
            if (_localFailures.TryGetValue(order.Host, out var local) && local.Next > now && !requests.ContainsKey(order.Host))
            {
                continue;
            }

            try
            {
                if (await OrderAsync(order, view, ct))
                {
                    _localFailures.Remove(order.Host);
                }
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                // One host's trouble (a write the Docker API refused, ...) must not hold up the others.
                var failures = (_localFailures.TryGetValue(order.Host, out var before) ? before.Failures : 0) + 1;
                var next = OrderPlan.NextAttempt(failures, time.GetUtcNow(), _acme.RetryAfter, _acme.MaxRetryAfter);
                _localFailures[order.Host] = (failures, next);
                Log.OrderBroke(logger, order.Host, ex.Message, next);
            }
        }

        // A request is answered under the lock of the order it causes (OrderAsync), or by nothing when its host
        // is not routed for certificates.
        foreach (var (host, request) in requests.Where(r => !hosts.Contains(r.Key)))
        {
            Log.RenewalNotRouted(logger, host);
            await configs.RemoveAsync(request.Name, ct);
        }

        // Certificates that can no longer serve, and those issued before the one that serves now, once that one has
        // served a while: an edge whose clock lags, or that restarts, must still find a valid one.
        var serving = StoredCertificate.Serving(view.Certificates, now);
        var settled = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMinutes(10).Ticks, 3 * _acme.PollInterval.Ticks));
        foreach (var certificate in view.Certificates.Where(c => c.NotAfter <= now
                     || serving.TryGetValue(c.Host, out var current) && c.ConfigName != current.ConfigName
                        && c.NotBefore <= current.NotBefore && current.NotBefore + settled <= now))
        {
            await configs.RemoveAsync(certificate.ConfigName, ct);
        }
    }

    /// <summary>Whether an order was placed (false: another issuer holds the host, or ordered it meanwhile).</summary>
    private async Task<bool> OrderAsync(DueOrder order, StoredView view, CancellationToken ct)
    {
        var lockName = AcmeConfigNames.Order(_key, order.Host);
        var now = time.GetUtcNow();
        if (view.Stored.FirstOrDefault(c => c.Name == lockName) is { } held)
        {
            // Its age by this issuer's clock, from when it first saw this lock: the manager's CreatedAt may be skewed.
            var seen = _locksSeen.TryGetValue(held.Id, out var first) ? first : _locksSeen[held.Id] = now;
            if (now - seen < 2 * _acme.OrderTimeout)
            {
                Log.OrderHeld(logger, order.Host, seen);
                return false;
            }

            Log.OrderAbandoned(logger, order.Host, seen);
            await configs.RemoveAsync(lockName, ct);
            _locksSeen.Remove(held.Id);
        }

        if (!LegoClient.UsesDns01(order.Host) && await challenges.UnroutedAsync(order.Host, ct) is { Count: > 0 } unrouted)
        {
            Log.ChallengeNotRouted(logger, order.Host, string.Join(", ", unrouted));
            return false;
        }

        if (!await configs.CreateAsync(lockName, AcmeConfigKind.Order, order.Host,
                AcmePayloads.Seal(_key, AcmeConfigKind.Order, order.Host, lockName, new OrderPayload(order.Host, _name, now)), ct))
        {
            Log.OrderHeld(logger, order.Host, now);
            return false;
        }

        try
        {
            // With the lock held, what the swarm holds now decides: another issuer may have stored this host's
            // certificate (and released its lock) after the list this poll started from.
            var fresh = StoredView.Open(_key, await configs.ListAsync(null, ct), time.GetUtcNow());
            if (OrderPlan.Due([order.Host], fresh.Latest, fresh.Failures, fresh.Now, _acme.RenewWhenLeft,
                    fresh.Requests.Keys.ToHashSet(StringComparer.Ordinal)).IsEmpty)
            {
                Log.OrderedElsewhere(logger, order.Host);
                return false;
            }

            // The request is answered by this order, whatever it brings: removed now, under the lock, so that it
            // cannot cause a second one.
            if (fresh.Requests.TryGetValue(order.Host, out var request))
            {
                await configs.RemoveAsync(request.Name, ct);
            }

            Log.Ordering(logger, order.Host, order.Reason);
            var (certificate, error) = await lego.OrderAsync(order.Host, ct);
            var finished = time.GetUtcNow();
            var previousFailures = fresh.Stored.Where(c => c.Kind == AcmeConfigKind.Failure && c.Host == order.Host).Select(c => c.Name).ToList();
            if (certificate is not null)
            {
                Log.Issued(logger, order.Host, (finished - now).TotalSeconds);
                _unstored[order.Host] = certificate;
                await StoreCertificateAsync(order.Host, certificate, ct);
                _unstored.Remove(order.Host);
                foreach (var previous in previousFailures)
                {
                    await configs.RemoveAsync(previous, ct);
                }

                await StoreAccountAsync(fresh.Stored, ct);
                return true;
            }
            else
            {
                var failures = (fresh.Failures.GetValueOrDefault(order.Host)?.Failures ?? 0) + 1;
                var next = OrderPlan.NextAttempt(failures, finished, _acme.RetryAfter, _acme.MaxRetryAfter);
                var name = AcmeConfigNames.Failure(_key, order.Host, finished);
                await configs.CreateAsync(name, AcmeConfigKind.Failure, order.Host,
                    AcmePayloads.Seal(_key, AcmeConfigKind.Failure, order.Host, name, new FailurePayload(order.Host, error!, failures, finished, next)), ct);
                Log.OrderFailed(logger, order.Host, failures, error!, next);
                if (error!.Contains("accountDoesNotExist", StringComparison.Ordinal))
                {
                    // The CA forgot the account (a test CA restarted): lego registers anew, and that one is stored.
                    await configs.RemoveAsync(AcmeConfigNames.Account(_key, _acme.DirectoryUrl, _acme.Email), ct);
                    _accountStored = false;
                }
            }

            foreach (var previous in previousFailures)
            {
                await configs.RemoveAsync(previous, ct);
            }

            return true;
        }
        finally
        {
            try
            {
                await configs.RemoveAsync(lockName, CancellationToken.None);
            }
            catch (Exception ex)
            {
                // Not lost: removed again at the next polls, and the order's outcome (above) stands.
                _unreleased.Add(lockName);
                Log.LockNotReleased(logger, order.Host, ex.Message);
            }
        }
    }

    private async Task StoreCertificateAsync(string host, CertificatePayload certificate, CancellationToken ct)
    {
        var name = AcmeConfigNames.Certificate(_key, host, time.GetUtcNow());
        await configs.CreateAsync(name, AcmeConfigKind.Certificate, host, AcmePayloads.Seal(_key, AcmeConfigKind.Certificate, host, name, certificate), ct);
        Log.Stored(logger, host, name);
    }

    /// <summary>Puts the stored account back where lego looks for it, once, before the first order.</summary>
    private void RestoreAccount(IReadOnlyList<AcmeConfig> stored)
    {
        var name = AcmeConfigNames.Account(_key, _acme.DirectoryUrl, _acme.Email);
        if (_accountStored || stored.FirstOrDefault(c => c.Name == name) is not { } config)
        {
            return;
        }

        _accountStored = true;
        var accounts = Path.GetFullPath(lego.AccountsDirectory);
        if (AcmePayloads.Open<AccountPayload>(_key, config) is not { } account || Directory.Exists(accounts))
        {
            return;
        }

        foreach (var (path, content) in account.Files)
        {
            var full = Path.GetFullPath(Path.Combine(accounts, path));
            if (!full.StartsWith(accounts + Path.DirectorySeparatorChar, StringComparison.Ordinal))
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
        var name = AcmeConfigNames.Account(_key, _acme.DirectoryUrl, _acme.Email);
        _accountStored |= stored.Any(c => c.Name == name);
        if (_accountStored || !Directory.Exists(lego.AccountsDirectory))
        {
            return;
        }

        var files = Directory.EnumerateFiles(lego.AccountsDirectory, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(lego.AccountsDirectory, f), File.ReadAllText, StringComparer.Ordinal);
        await configs.CreateAsync(name, AcmeConfigKind.Account, "", AcmePayloads.Seal(_key, AcmeConfigKind.Account, "", name, new AccountPayload(files)), ct);
        _accountStored = true;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 900, Level = LogLevel.Information, Message = "Issuer started: CA {Directory}, account {Email}")]
        public static partial void Started(ILogger logger, string directory, string email);

        [LoggerMessage(EventId = 901, Level = LogLevel.Information, Message = "Ordering a certificate for {Host} ({Reason})")]
        public static partial void Ordering(ILogger logger, string host, string reason);

        [LoggerMessage(EventId = 902, Level = LogLevel.Information, Message = "Certificate for {Host} issued after {Seconds:0.0} s")]
        public static partial void Issued(ILogger logger, string host, double seconds);

        [LoggerMessage(EventId = 903, Level = LogLevel.Error, Message = "Order for {Host} failed ({Failures} in a row): {Error}; next attempt at {Next:u}")]
        public static partial void OrderFailed(ILogger logger, string host, int failures, string error, DateTimeOffset next);

        [LoggerMessage(EventId = 904, Level = LogLevel.Debug, Message = "An order for {Host} is in progress elsewhere (seen since {Since:u}): not ordering it again")]
        public static partial void OrderHeld(ILogger logger, string host, DateTimeOffset since);

        [LoggerMessage(EventId = 905, Level = LogLevel.Warning, Message = "The order lock for {Host}, seen since {Since:u}, was abandoned: taking it over")]
        public static partial void OrderAbandoned(ILogger logger, string host, DateTimeOffset since);

        [LoggerMessage(EventId = 906, Level = LogLevel.Warning, Message = "A poll of the swarm failed: {Error}; trying again at the next poll")]
        public static partial void PollFailed(ILogger logger, string error);

        [LoggerMessage(EventId = 907, Level = LogLevel.Warning, Message = "{Host} is not ordered: {Reason}")]
        public static partial void HostSkipped(ILogger logger, string host, string reason);

        [LoggerMessage(EventId = 908, Level = LogLevel.Information, Message = "ACME account {Email} restored from the swarm")]
        public static partial void AccountRestored(ILogger logger, string email);

        [LoggerMessage(EventId = 909, Level = LogLevel.Warning, Message = "A renewal of {Host} was requested, but no route with acme serves that host: nothing ordered")]
        public static partial void RenewalNotRouted(ILogger logger, string host);

        [LoggerMessage(EventId = 910, Level = LogLevel.Error, Message = "Order for {Host} broke off: {Error}; next attempt at {Next:u}")]
        public static partial void OrderBroke(ILogger logger, string host, string error, DateTimeOffset next);

        [LoggerMessage(EventId = 911, Level = LogLevel.Information, Message = "Certificate for {Host} stored in the swarm as {Config}")]
        public static partial void Stored(ILogger logger, string host, string config);

        [LoggerMessage(EventId = 912, Level = LogLevel.Information, Message = "{Host} got its certificate from another issuer meanwhile: not ordering it")]
        public static partial void OrderedElsewhere(ILogger logger, string host);

        [LoggerMessage(EventId = 913, Level = LogLevel.Warning, Message = "The order lock for {Host} could not be removed: {Error}; trying again at the next poll")]
        public static partial void LockNotReleased(ILogger logger, string host, string error);

        [LoggerMessage(EventId = 914, Level = LogLevel.Information,
            Message = "Not ordering {Host} yet: the edges {Edges} do not route its challenge to the issuer (checked again at the next poll)")]
        public static partial void ChallengeNotRouted(ILogger logger, string host, string edges);
    }
}
