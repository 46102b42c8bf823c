using System.Collections.Concurrent;
using System.Globalization;
using Docker.DotNet.Models;

namespace SwarmEdge.Discovery;

/// <summary>
/// A task as its service's history shows it: where it ran, what it was meant to do and did, and how it ended.
/// Swarm reports a container killed by the OOM killer and one killed with SIGKILL alike (exit 137); OomKilled
/// is known only from an "oom" event of a node whose Docker API the edge reads.
/// </summary>
internal sealed record TaskRecord(
    string Id, int? Slot, string NodeId, string DesiredState, string State, string Message, string? Error, long? ExitCode,
    DateTimeOffset? Since, DateTimeOffset? CreatedAt, bool OomKilled = false)
{
    /// <summary>How the task ended, in words; null while it runs (or is on its way to).</summary>
    public string? Ending => State switch
    {
        "new" or "pending" or "assigned" or "accepted" or "preparing" or "ready" or "starting" or "running" => null,
        _ when OomKilled => $"killed by the OOM killer (exit {ExitCode ?? 137})",
        _ => ExitCode switch
        {
            137 => "killed (exit 137: SIGKILL, or the OOM killer on a node whose events this edge does not see)",
            143 => "terminated (exit 143: SIGTERM)",
            0 when State == "complete" => "completed (exit 0)",
            0 => $"{State} (exit 0)",
            { } code => $"exited with {code.ToString(CultureInfo.InvariantCulture)}",
            null when Error is not null => $"{State}: {Error}",
            null => State,
        },
    };

    /// <summary>Ended by failing rather than by the orchestrator's decision (a scale down, an update, a removal).</summary>
    public bool Failed => State is "failed" or "rejected" || (State == "complete" && DesiredState == "shutdown" && ExitCode is not (null or 0));

    public static TaskRecord From(TaskResponse task) => new(
        task.ID,
        task.Slot is { } slot and > 0 ? (int)slot : null,
        task.NodeID ?? "",
        task.DesiredState?.ToString().ToLowerInvariant() ?? "",
        task.Status?.State?.ToString().ToLowerInvariant() ?? "unknown",
        task.Status?.Message ?? "",
        string.IsNullOrEmpty(task.Status?.Err) ? null : task.Status.Err,
        task.Status?.ContainerStatus?.ExitCode,
        task.Status?.Timestamp is { } at && at > DateTime.MinValue ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null,
        task.CreatedAt is { } created && created > DateTime.MinValue ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : null);
}

/// <summary>
/// A service's task history, read when the dashboard asks for it (one request for one service, the shape the
/// socket proxy lets through), and kept a few seconds so that a page polling it costs the API little.
/// </summary>
internal sealed class TaskHistory(DockerApi api, SwarmEventLog events, TimeProvider time)
{
    private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(2);
    private readonly ConcurrentDictionary<string, (DateTimeOffset At, IReadOnlyList<TaskRecord> Tasks)> _read = new(StringComparer.Ordinal);

    /// <summary>The service's tasks, newest first, with what the event log knows of OOM kills.</summary>
    public async Task<IReadOnlyList<TaskRecord>> OfAsync(string serviceId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (!_read.TryGetValue(serviceId, out var cached) || now - cached.At > Fresh)
        {
            var tasks = await api.CallAsync("tasks.history",
                (c, t) => c.Tasks.ListAsync(new TasksListParameters { Filters = TaskFilters.History(serviceId) }, t), ct);
            cached = (now, tasks.Select(TaskRecord.From).OrderByDescending(t => t.CreatedAt).ThenBy(t => t.Id, StringComparer.Ordinal).ToList());
            if (_read.Count > 1000)
            {
                _read.Clear();
            }

            _read[serviceId] = cached;
        }

        var oom = events.Snapshot().Where(e => e.Action == "oom" && e.TaskId is not null).Select(e => e.TaskId!).ToHashSet(StringComparer.Ordinal);
        return oom.Count == 0 ? cached.Tasks : [.. cached.Tasks.Select(t => oom.Contains(t.Id) ? t with { OomKilled = true } : t)];
    }
}
