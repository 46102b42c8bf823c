using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using SwarmEdge.Admin;
using SwarmEdge.Catalog;
using SwarmEdge.Proxy;
using SwarmEdge.Proxy.Tcp;

namespace SwarmEdge.Discovery;

/// <summary>
/// Level-triggered reconciliation. Signals (events, DNS changes) say when to look; the loop reads what is
/// there, builds the catalog (pure) and hands it to the applier. A service that is changing (update in
/// progress, tasks not yet running, fewer running tasks than replicas) is re-read every
/// UpdateFollowInterval until it settles, because Swarm has no task events. Everything is re-read every
/// ResyncInterval as a safety net. When the Docker API fails the last good snapshot keeps serving and the
/// read is retried with backoff.
/// </summary>
internal sealed partial class DiscoveryLoop(
    SwarmReader reader,
    DiscoverySignals signals,
    TaskDnsWatcher dns,
    ProxyConfigApplier applier,
    TcpRouteApplier tcpApplier,
    EdgeStatus status,
    IOptions<SwarmEdgeOptions> options,
    TimeProvider time,
    ILogger<DiscoveryLoop> logger) : BackgroundService
{
    // A service that keeps not settling (an image that cannot be pulled, no node with resources) is followed
    // this long after its last change, then left to events, DNS and the resync.
    private static readonly TimeSpan FollowWindow = TimeSpan.FromSeconds(60);

    private readonly DiscoveryOptions _discovery = options.Value.Discovery;
    private readonly IReadOnlyCollection<string> _sharedNetworks = options.Value.Networks;
    private readonly IReadOnlyCollection<int> _tcpEntrypoints = options.Value.Tcp.Entrypoints;
    private readonly RoutingPolicy _routingPolicy = RoutingPolicy.From(options.Value.Routing);

    private SwarmSnapshot _snapshot = SwarmSnapshot.Empty;
    private ServiceCatalog _catalog = ServiceCatalog.Empty;
    private bool _readAll;
    private readonly HashSet<string> _servicesToRead = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _lastChange = new(StringComparer.Ordinal);
    private bool _dnsChanged;
    private bool _everReadAll;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var now = time.GetUtcNow();
        var nextResync = now;
        var nextFollow = now;
        DateTimeOffset? retryAt = null;
        var retryDelay = TimeSpan.Zero;
        var following = new HashSet<string>(StringComparer.Ordinal);

        while (!stoppingToken.IsCancellationRequested)
        {
            now = time.GetUtcNow();
            if (now >= nextResync)
            {
                _readAll = true;
                nextResync = now + _discovery.ResyncInterval;
            }

            if (following.Count > 0 && now >= nextFollow)
            {
                _servicesToRead.UnionWith(following);
                nextFollow = now + _discovery.UpdateFollowInterval;
            }

            var mayRead = retryAt is null || now >= retryAt;
            var readDue = mayRead && (_readAll || _servicesToRead.Count > 0);
            if (!readDue && !_dnsChanged)
            {
                var wakeAt = Earliest(nextResync, following.Count > 0 ? nextFollow : null, retryAt);
                if (await WaitForSignalAsync(wakeAt - now, stoppingToken))
                {
                    // Let a burst of events (a service update sends several) arrive, then read once.
                    await Task.Delay(_discovery.Debounce, time, stoppingToken);
                }

                DrainSignals(time.GetUtcNow());
                continue;
            }

            DrainSignals(now);
            if (readDue)
            {
                try
                {
                    await ReadAsync(stoppingToken);
                    retryAt = null;
                    retryDelay = TimeSpan.Zero;
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    retryDelay = retryDelay == TimeSpan.Zero
                        ? TimeSpan.FromMilliseconds(250)
                        : TimeSpan.FromTicks(Math.Min(retryDelay.Ticks * 2, _discovery.MaxRetryDelay.Ticks));
                    retryAt = time.GetUtcNow() + retryDelay;
                    var error = DockerApi.Describe(ex);
                    SwarmEdgeMetrics.DiscoveryErrors.WithLabels("docker").Inc();
                    status.ReportDockerError(error);
                    Log.ReadFailed(logger, error, retryDelay);
                }
            }

            _dnsChanged = false;
            try
            {
                await RebuildAsync(readDue && retryAt is null);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // A bug here must not stop the host: the proxy keeps its last applied routes and the next
                // signal or resync tries again.
                SwarmEdgeMetrics.DiscoveryErrors.WithLabels("apply").Inc();
                Log.RebuildFailed(logger, ex);
            }

            following = ServicesToFollow(time.GetUtcNow());
        }
    }

    private async Task ReadAsync(CancellationToken ct)
    {
        var before = _snapshot;
        if (_readAll)
        {
            _snapshot = await reader.ReadAllAsync(_snapshot, ct);
            _readAll = false;
            _servicesToRead.Clear();
            _everReadAll = true;
        }
        else
        {
            foreach (var serviceId in _servicesToRead.ToList())
            {
                _snapshot = await reader.ReadServiceAsync(_snapshot, serviceId, ct);
                _servicesToRead.Remove(serviceId);
            }
        }

        var now = time.GetUtcNow();
        var beforeById = before.Services.ToDictionary(s => s.Id, StringComparer.Ordinal);
        foreach (var service in _snapshot.Services)
        {
            var old = beforeById.GetValueOrDefault(service.Id);
            if (old is null || old != service || !before.TasksOf(service.Id).SequenceEqual(_snapshot.TasksOf(service.Id)))
            {
                _lastChange[service.Id] = now;
            }
        }
    }

    private async Task RebuildAsync(bool afterRead)
    {
        _snapshot = _snapshot with { DnsByServiceName = dns.Answers };
        var previous = _catalog;
        _catalog = CatalogBuilder.Build(_snapshot, _catalog, _sharedNetworks, _tcpEntrypoints, _routingPolicy);
        await applier.ApplyAsync(_catalog);
        tcpApplier.Apply(_catalog);

        if (afterRead && _everReadAll)
        {
            status.PublishRead(_catalog, applier.Errors, time.GetUtcNow());
        }
        else
        {
            status.PublishCatalog(_catalog, applier.Errors);
        }

        ReportChanges(previous, _catalog);
    }

    private HashSet<string> ServicesToFollow(DateTimeOffset now)
    {
        var following = new HashSet<string>(StringComparer.Ordinal);
        foreach (var service in _snapshot.Services)
        {
            var changing = service.UpdateInProgress || !IsSettled(service, _snapshot.TasksOf(service.Id));
            if (changing && _lastChange.TryGetValue(service.Id, out var changedAt) && now - changedAt < FollowWindow)
            {
                following.Add(service.Id);
            }
        }

        return following;
    }

    /// <summary>Settled: every task that should run runs, and as many as the service asks for.</summary>
    internal static bool IsSettled(SwarmService service, ImmutableArray<SwarmTask> tasks) =>
        tasks.All(t => t.State == "running")
        && (service.DesiredReplicas is not { } replicas || tasks.Length >= replicas);

    private async Task<bool> WaitForSignalAsync(TimeSpan timeout, CancellationToken ct)
    {
        if (timeout <= TimeSpan.Zero)
        {
            return signals.Reader.TryPeek(out _);
        }

        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeoutCts.CancelAfter(timeout);
        try
        {
            return await signals.Reader.WaitToReadAsync(timeoutCts.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    private void DrainSignals(DateTimeOffset now)
    {
        while (signals.Reader.TryRead(out var signal))
        {
            Log.Signal(logger, signal.Kind, signal.Reason);
            switch (signal.Kind)
            {
                case DiscoverySignalKind.FullRead:
                    _readAll = true;
                    break;
                case DiscoverySignalKind.ServiceRead:
                    _servicesToRead.Add(signal.Subject!);
                    _lastChange[signal.Subject!] = now;
                    break;
                case DiscoverySignalKind.DnsChanged:
                    _dnsChanged = true;
                    if (_snapshot.Services.FirstOrDefault(s => s.Name == signal.Subject) is { } service)
                    {
                        // DNS saw a task come or go: the task list tells which, and may hold a new task.
                        _servicesToRead.Add(service.Id);
                        _lastChange[service.Id] = now;
                    }

                    break;
            }
        }
    }

    private void ReportChanges(ServiceCatalog previous, ServiceCatalog current)
    {
        var previousById = previous.ById();
        foreach (var service in current.Services)
        {
            var old = previousById.GetValueOrDefault(service.Id);
            if (old is null || !old.Errors.SequenceEqual(service.Errors))
            {
                foreach (var error in service.Errors)
                {
                    Log.ServiceError(logger, service.Name, error);
                }
            }

            var endpoints = service.Endpoints.Select(e => e.TaskId).ToHashSet(StringComparer.Ordinal);
            var oldEndpoints = old?.Endpoints.Select(e => e.TaskId).ToHashSet(StringComparer.Ordinal) ?? [];
            if (!endpoints.SetEquals(oldEndpoints))
            {
                Log.EndpointsChanged(logger, service.Name, endpoints.Count,
                    string.Join(",", endpoints.Except(oldEndpoints)), string.Join(",", oldEndpoints.Except(endpoints)));
            }

            SwarmEdgeMetrics.ServiceEndpoints.WithLabels(service.Name).Set(service.Endpoints.Length);
            SwarmEdgeMetrics.ServiceErrors.WithLabels(service.Name).Set(service.Errors.Length);
        }

        var currentById = current.ById();
        foreach (var gone in previous.Services.Where(s => !currentById.ContainsKey(s.Id)))
        {
            Log.ServiceRemoved(logger, gone.Name);
            SwarmEdgeMetrics.ServiceEndpoints.RemoveLabelled(gone.Name);
            SwarmEdgeMetrics.ServiceErrors.RemoveLabelled(gone.Name);
            _lastChange.Remove(gone.Id);
        }
    }

    private static DateTimeOffset Earliest(DateTimeOffset first, params DateTimeOffset?[] others) =>
        others.Where(o => o is not null).Select(o => o!.Value).Append(first).Min();

    private static partial class Log
    {
        [LoggerMessage(EventId = 120, Level = LogLevel.Warning,
            Message = "Reading the swarm failed: {Error}; serving the last good routes, retrying in {Delay}")]
        public static partial void ReadFailed(ILogger logger, string error, TimeSpan delay);

        [LoggerMessage(EventId = 125, Level = LogLevel.Error,
            Message = "Building or applying the routes failed; the last applied routes keep serving")]
        public static partial void RebuildFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 121, Level = LogLevel.Debug, Message = "Discovery signal {Kind}: {Reason}")]
        public static partial void Signal(ILogger logger, DiscoverySignalKind kind, string reason);

        [LoggerMessage(EventId = 122, Level = LogLevel.Warning, Message = "Service {Service}: {Error}")]
        public static partial void ServiceError(ILogger logger, string service, string error);

        [LoggerMessage(EventId = 123, Level = LogLevel.Information,
            Message = "Service {Service}: {Count} endpoints (added [{Added}], removed [{Removed}])")]
        public static partial void EndpointsChanged(ILogger logger, string service, int count, string added, string removed);

        [LoggerMessage(EventId = 124, Level = LogLevel.Information, Message = "Service {Service} is no longer routed")]
        public static partial void ServiceRemoved(ILogger logger, string service);
    }
}
