using System.Collections.Immutable;

namespace SwarmEdge.Discovery;

/// <summary>
/// When to read the swarm and what, as a function of signals and time only (no I/O, no clock of its own):
/// a full read at start and every ResyncInterval; a service read Debounce after an event or DNS change about
/// it, so a burst costs one read; a service that is changing (update in progress, tasks not yet running,
/// fewer running tasks than replicas) re-read every UpdateFollowInterval until it settles, because Swarm has no
/// task events; after a read that failed every attempt (the Docker API's own retries are spent), the same work
/// again RetryInterval later. One read at a time.
/// </summary>
internal sealed class DiscoverySchedule
{
    // A service that keeps not settling (an image that cannot be pulled, no node with resources) is followed
    // this long after its last change, then left to events, DNS and the resync.
    internal static readonly TimeSpan FollowWindow = TimeSpan.FromSeconds(60);

    private readonly DiscoveryOptions _options;
    private readonly HashSet<string> _servicesToRead = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _lastChange = new(StringComparer.Ordinal);
    private ImmutableHashSet<string> _following = ImmutableHashSet<string>.Empty.WithComparer(StringComparer.Ordinal);
    private bool _readAll;
    private DateTimeOffset _nextResync;
    private DateTimeOffset _nextFollow;
    private DateTimeOffset? _signalledReadAt;
    private DateTimeOffset? _retryAt;
    private ReadPlan? _reading;

    public DiscoverySchedule(DiscoveryOptions options, DateTimeOffset start)
    {
        _options = options;
        _nextResync = start;
        _nextFollow = start;
    }

    /// <summary>Services re-read every UpdateFollowInterval because they are changing.</summary>
    public ImmutableHashSet<string> Following => _following;

    /// <summary>The event stream (re)opened or a node changed: everything may have changed.</summary>
    public void FullReadRequested(DateTimeOffset now)
    {
        _readAll = true;
        _signalledReadAt ??= now + _options.Debounce;
    }

    /// <summary>An event or a DNS change about one service: read it, and follow it while it changes.</summary>
    public void ServiceReadRequested(string serviceId, DateTimeOffset now)
    {
        _servicesToRead.Add(serviceId);
        _lastChange[serviceId] = now;
        _signalledReadAt ??= now + _options.Debounce;
    }

    /// <summary>The read to start now, or null: nothing is due, a read is in flight, or a failed one waits.</summary>
    public ReadPlan? Next(DateTimeOffset now)
    {
        if (_reading is not null || (_retryAt is { } retryAt && now < retryAt))
        {
            return null;
        }

        var due = _retryAt is not null || (_signalledReadAt is { } signalled && now >= signalled);
        if (now >= _nextResync)
        {
            _readAll = true;
            _nextResync = now + _options.ResyncInterval;
            due = true;
        }

        if (!_following.IsEmpty && now >= _nextFollow)
        {
            _servicesToRead.UnionWith(_following);
            _nextFollow = now + _options.UpdateFollowInterval;
            due = true;
        }

        if (!_readAll && _servicesToRead.Count == 0)
        {
            _retryAt = null; // nothing (left) to retry
            return null;
        }

        if (!due)
        {
            return null;
        }

        _reading = _readAll ? ReadPlan.All : new ReadPlan(false, [.. _servicesToRead.Order(StringComparer.Ordinal)]);
        _readAll = false;
        _servicesToRead.Clear();
        _signalledReadAt = null;
        _retryAt = null;
        return _reading;
    }

    /// <summary>When Next may have something to start, if nothing is signalled before.</summary>
    public DateTimeOffset WakeAt()
    {
        if (_retryAt is { } retryAt)
        {
            return retryAt;
        }

        var wakeAt = _nextResync;
        if (!_following.IsEmpty && _nextFollow < wakeAt)
        {
            wakeAt = _nextFollow;
        }

        if ((_readAll || _servicesToRead.Count > 0) && _signalledReadAt is { } signalled && signalled < wakeAt)
        {
            wakeAt = signalled;
        }

        return wakeAt;
    }

    /// <summary>
    /// The read finished: services whose definition or tasks changed are followed while they have not settled
    /// (and for at most FollowWindow after their last change); services that left are forgotten.
    /// </summary>
    public void ReadSucceeded(SwarmSnapshot before, SwarmSnapshot after, DateTimeOffset now)
    {
        _reading = null;
        var beforeById = before.Services.ToDictionary(s => s.Id, StringComparer.Ordinal);
        foreach (var service in after.Services)
        {
            if (beforeById.GetValueOrDefault(service.Id) is not { } old || old != service
                || !before.TasksOf(service.Id).SequenceEqual(after.TasksOf(service.Id)))
            {
                _lastChange[service.Id] = now;
            }
        }

        var present = after.Services.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _lastChange.Keys.Where(id => !present.Contains(id)).ToList())
        {
            _lastChange.Remove(gone);
        }

        var following = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
        foreach (var service in after.Services)
        {
            var changing = service.UpdateInProgress || !IsSettled(service, after.TasksOf(service.Id));
            if (changing && _lastChange.TryGetValue(service.Id, out var changedAt) && now - changedAt < FollowWindow)
            {
                following.Add(service.Id);
            }
        }

        if (_following.IsEmpty && following.Count > 0)
        {
            _nextFollow = now + _options.UpdateFollowInterval;
        }

        _following = following.ToImmutable();
    }

    /// <summary>The read failed: its work is kept and tried again RetryInterval from now.</summary>
    public void ReadFailed(DateTimeOffset now)
    {
        if (_reading is { } failed)
        {
            _readAll |= failed.Everything;
            _servicesToRead.UnionWith(failed.ServiceIds);
        }

        _reading = null;
        _retryAt = now + _options.RetryInterval;
    }

    /// <summary>Settled: every task that should run runs, and as many as the service asks for.</summary>
    internal static bool IsSettled(OptedInService service, ImmutableArray<SwarmTask> tasks) =>
        tasks.All(t => t.State == "running")
        && (service.DesiredReplicas is not { } replicas || tasks.Length >= replicas);
}
