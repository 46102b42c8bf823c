using System.Globalization;
using Docker.DotNet.Models;

namespace SwarmEdge.Discovery;

/// <summary>
/// One Docker event as the dashboard shows it: a service created, updated (its update state, its replicas),
/// removed; a node's state; a task's container that died (its exit code), was OOM-killed or killed. Container
/// events come from the node whose Docker API the edge reads only (Docker has no swarm-wide container events).
/// </summary>
internal sealed record SwarmEventEntry(
    DateTimeOffset Time, string Type, string Action, string? Service, string? Node, string? TaskId, int? ExitCode, string Summary)
{
    public const string TaskIdLabel = "com.docker.swarm.task.id";
    public const string ServiceNameLabel = "com.docker.swarm.service.name";

    /// <summary>The events worth a line; null for the others (exec health checks, attach, image pulls...).</summary>
    public static SwarmEventEntry? From(Message message)
    {
        var attributes = message.Actor?.Attributes ?? new Dictionary<string, string>();
        string? Get(string key) => attributes.TryGetValue(key, out var v) && v.Length > 0 ? v : null;
        var time = message.TimeNano is { } nanos and > 0
            ? DateTimeOffset.FromUnixTimeMilliseconds(nanos / 1_000_000)
            : DateTimeOffset.FromUnixTimeSeconds(message.Time is { } s and > 0 ? s : 0);
        var action = message.Action ?? "";
        switch (message.Type)
        {
            case "service":
                var details = string.Join(", ", new[]
                {
                    Get("updatestate.new") is { } update ? $"update {update}" : null,
                    Get("replicas.new") is { } replicas ? $"replicas {Get("replicas.old") ?? "?"} -> {replicas}" : null,
                    Get("image.new") is { } image ? $"image {image}" : null,
                }.OfType<string>());
                return new(time, "service", action, Get("name"), null, null, null, $"service {Get("name")} {action}{(details.Length > 0 ? $": {details}" : "")}");
            case "node":
                var state = Get("state.new") is { } newState ? $": {Get("state.old") ?? "?"} -> {newState}" : "";
                return new(time, "node", action, null, Get("name"), null, null, $"node {Get("name")} {action}{state}");
            case "container" when action is "die" or "oom" or "kill" && Get(TaskIdLabel) is { } task:
                var exit = action == "die" && int.TryParse(Get("exitCode"), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var code) ? code : (int?)null;
                var what = action switch
                {
                    "oom" => "was killed by the OOM killer",
                    "kill" => $"was sent signal {Get("signal") ?? "?"}",
                    _ => $"exited with {exit?.ToString(CultureInfo.InvariantCulture) ?? "?"}",
                };
                return new(time, "container", action, Get(ServiceNameLabel), null, task, exit, $"task {Get("name") ?? task} {what}");
            default:
                return null;
        }
    }
}

/// <summary>The last Capacity events the edge saw, newest last: the dashboard's timeline and its OOM markers.</summary>
internal sealed class SwarmEventLog
{
    public const int Capacity = 500;

    private readonly Queue<SwarmEventEntry> _entries = new(Capacity);
    private readonly Lock _lock = new();

    public void Add(SwarmEventEntry entry)
    {
        lock (_lock)
        {
            if (_entries.Count == Capacity)
            {
                _entries.Dequeue();
            }

            _entries.Enqueue(entry);
        }
    }

    public IReadOnlyList<SwarmEventEntry> Snapshot()
    {
        lock (_lock)
        {
            return [.. _entries];
        }
    }
}
