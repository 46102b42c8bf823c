using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using SwarmEdge.Admin;
using SwarmEdge.Catalog;
using SwarmEdge.Proxy;
using SwarmEdge.Proxy.Tcp;

namespace SwarmEdge.Discovery;

/// <summary>
/// Level-triggered reconciliation. Observers push what they saw (events say when to look, DNS answers what it
/// lists); DiscoverySchedule says when to read what; the loop reads the swarm, builds the catalog (pure), hands
/// it to the appliers and publishes the status. A Docker read runs beside the loop, so a DNS answer that drops a
/// task rebuilds at once even while a slow read is in flight. When the Docker API fails the last good snapshot
/// keeps serving.
/// </summary>
internal sealed partial class DiscoveryLoop(
    SwarmReader reader,
    DiscoverySignals signals,
    ServicesToResolve servicesToResolve,
    ProxyConfigApplier applier,
    TcpRouteApplier tcpApplier,
    EdgeStatus status,
    IOptions<SwarmEdgeOptions> options,
    TimeProvider time,
    ILogger<DiscoveryLoop> logger) : BackgroundService
{
    private readonly DiscoveryOptions _discovery = options.Value.Discovery;
    private readonly IReadOnlyCollection<string> _sharedNetworks = options.Value.Networks;
    private readonly IReadOnlyCollection<int> _tcpEntrypoints = options.Value.Tcp.Entrypoints;
    private readonly RoutingPolicy _routingPolicy = RoutingPolicy.From(options.Value.Routing);

    private SwarmSnapshot _snapshot = SwarmSnapshot.Empty;
    private ImmutableArray<OptedInService> _fileServices = [];

    // No routes are built before the routes file has been read once (well or not): its services claim their hosts
    // first, and a swarm service must not hold one of them for the moment it takes to read the file at start.
    private bool _routesFileRead = options.Value.Discovery.RoutesFile.Length == 0;
    private DnsView _dns = DnsView.Empty;
    private ServiceCatalog _catalog = ServiceCatalog.Empty;
    private EdgeStatus.View _view = EdgeStatus.View.Starting;

    // A read that succeeded and whose routes are not applied yet: ready and "last read" once they are.
    private (DateTimeOffset At, bool Everything)? _readToPublish;
    private string? _lastReadError;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var schedule = new DiscoverySchedule(_discovery, time.GetUtcNow());
        Task<SwarmSnapshot>? read = null;
        var readPlan = ReadPlan.All;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (read is null && schedule.Next(time.GetUtcNow()) is { } plan)
            {
                readPlan = plan;
                read = reader.ReadAsync(plan, _snapshot, stoppingToken);
            }

            var changed = false;
            if (read is { IsCompleted: true })
            {
                changed = await FinishReadAsync(read, readPlan, schedule, stoppingToken);
                read = null;
            }

            changed |= DrainSignals(schedule, time.GetUtcNow());
            if (changed && _routesFileRead)
            {
                await RebuildAsync(stoppingToken);
            }

            await WaitAsync(read, read is null ? schedule.WakeAt() : null, stoppingToken);
        }
    }

    /// <summary>True when the snapshot changed; after a failure the last good one keeps serving.</summary>
    private async Task<bool> FinishReadAsync(Task<SwarmSnapshot> read, ReadPlan plan, DiscoverySchedule schedule, CancellationToken ct)
    {
        try
        {
            var snapshot = await read;
            var now = time.GetUtcNow();
            schedule.ReadSucceeded(_snapshot, snapshot, now);
            _snapshot = snapshot;
            _readToPublish = (now, plan.Everything || _readToPublish is { Everything: true });
            SwarmEdgeMetrics.DockerApiUp.Set(1);
            if (_lastReadError is not null)
            {
                Log.ReadRecovered(logger);
                _lastReadError = null;
            }

            return true;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            schedule.ReadFailed(time.GetUtcNow());
            var error = DockerApi.Describe(ex);
            SwarmEdgeMetrics.DiscoveryErrors.WithLabels("docker").Inc();
            SwarmEdgeMetrics.DockerApiUp.Set(0);
            // Once per outage (and when the error changes), not once per retry.
            if (error != _lastReadError)
            {
                Log.ReadFailed(logger, error, _discovery.RetryInterval);
                _lastReadError = error;
            }

            Publish(_view with { DockerError = error, DockerEndpoint = reader.Endpoint });
            return false;
        }
    }

    private async Task RebuildAsync(CancellationToken ct)
    {
        var previous = _catalog;
        ProxyApplyResult applied;
        try
        {
            var observed = _snapshot with
            {
                DnsByServiceName = _dns.Answers,
                Services = _fileServices.IsEmpty ? _snapshot.Services : [.. _fileServices, .. _snapshot.Services],
            };
            _catalog = CatalogBuilder.Build(observed, _catalog, _sharedNetworks, _tcpEntrypoints, _routingPolicy);
            applied = await applier.ApplyAsync(_catalog);
            tcpApplier.Apply(_catalog);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // A bug here must not stop the host: the proxy keeps its last applied routes and the next
            // signal or resync tries again.
            SwarmEdgeMetrics.DiscoveryErrors.WithLabels("apply").Inc();
            Log.RebuildFailed(logger, ex);
            return;
        }

        // Docker's DNS knows the swarm's services only.
        var routed = _catalog.Services.Where(s => s.IsRouted && s.NetworkId != RoutesFile.Network).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        servicesToResolve.Set(routed);
        _dns = _dns.Retain(routed);
        var view = _view with { Catalog = _catalog, ApplyErrors = applied.Errors, Nodes = _snapshot.Nodes };
        if (_readToPublish is { } read)
        {
            view = view with { Ready = view.Ready || read.Everything, LastReadAt = read.At, DockerError = null, DockerEndpoint = reader.Endpoint };
            _readToPublish = null;
        }

        Publish(view);
        ReportChanges(previous, _catalog);
    }

    private void Publish(EdgeStatus.View view)
    {
        _view = view with { DnsErrors = _dns.Errors };
        status.Publish(_view);
    }

    /// <summary>Until a signal, the read's end, or wakeAt (if any), whichever is first.</summary>
    private async Task WaitAsync(Task? read, DateTimeOffset? wakeAt, CancellationToken ct)
    {
        var delay = wakeAt is { } at ? at - time.GetUtcNow() : Timeout.InfiniteTimeSpan;
        if (wakeAt is not null && delay <= TimeSpan.Zero)
        {
            return;
        }

        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var signalled = signals.Reader.WaitToReadAsync(wait.Token).AsTask();
        var timer = wakeAt is null ? Task.Delay(Timeout.Infinite, wait.Token) : Task.Delay(delay, time, wait.Token);
        await Task.WhenAny(signalled, timer, read ?? timer);
        await wait.CancelAsync();
    }

    /// <summary>Hands events to the schedule and folds DNS answers and the routes file; true when either changed.</summary>
    private bool DrainSignals(DiscoverySchedule schedule, DateTimeOffset now)
    {
        var dnsChanged = false;
        var fileChanged = false;
        while (signals.Reader.TryRead(out var signal))
        {
            Log.Signal(logger, signal.Kind, signal.Reason);
            switch (signal.Kind)
            {
                case DiscoverySignalKind.FullRead:
                    schedule.FullReadRequested(now);
                    break;
                case DiscoverySignalKind.ServiceRead:
                    schedule.ServiceReadRequested(signal.Subject!, now);
                    break;
                case DiscoverySignalKind.DnsAnswered:
                    var (dns, addressesChanged) = _dns.With(signal.Subject!, signal.Answer!);
                    _dns = dns;
                    dnsChanged = true;
                    if (addressesChanged && _snapshot.Services.FirstOrDefault(s => s.Name == signal.Subject) is { } service)
                    {
                        // DNS saw a task come or go: the task list tells which, and may hold a new task.
                        schedule.ServiceReadRequested(service.Id, now);
                    }

                    break;
                case DiscoverySignalKind.RoutesFileRead:
                    // A file with an error keeps the last good services; the status says why.
                    var file = signal.RoutesFile!;
                    var last = _view.RoutesFile;
                    _routesFileRead = true;
                    if (file.Error is null)
                    {
                        _fileServices = file.Services;
                    }

                    Publish(_view with
                    {
                        RoutesFile = new EdgeStatus.RoutesFileStatus(signal.Subject!, file.Error is null ? now : last?.ReadAt, _fileServices.Length, file.Error),
                    });
                    fileChanged = true;
                    break;
            }
        }

        return dnsChanged || fileChanged;
    }

    private void ReportChanges(ServiceCatalog previous, ServiceCatalog current)
    {
        var previousById = previous.ById();
        foreach (var service in current.Services)
        {
            var old = previousById.GetValueOrDefault(service.Id);
            if (ReferenceEquals(old, service))
            {
                // The catalog reused it: nothing about it changed.
                continue;
            }

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
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 120, Level = LogLevel.Warning,
            Message = "Reading the swarm failed: {Error}; serving the last good routes, reading again in {Delay}")]
        public static partial void ReadFailed(ILogger logger, string error, TimeSpan delay);

        [LoggerMessage(EventId = 126, Level = LogLevel.Information, Message = "Reading the swarm works again")]
        public static partial void ReadRecovered(ILogger logger);

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
