namespace SwarmEdge.Proxy;

/// <summary>
/// Decides which tasks have stalled: a task whose oldest waiting request is older than its service's stall
/// timeout and that has not answered anything for that long, while another task of the same service has. That
/// is how a lost node looks (its connections hang, its peers answer) some seconds before Docker notices. A
/// service whose tasks are all slow has no stalled task: nobody answers, so nothing is compared. A service
/// whose timeout is zero (long polling: its requests wait by design) never has one. Pure.
/// </summary>
internal static class StallPolicy
{
    /// <param name="OldestPending">Age of the oldest request waiting for this task; null when none waits.</param>
    /// <param name="SinceLastResponse">Time since the task last started a response.</param>
    internal readonly record struct TaskView(string TaskId, string Service, TimeSpan? OldestPending, TimeSpan SinceLastResponse);

    /// <param name="timeoutOf">The stall timeout of a service; zero or less: stall detection is off for it.</param>
    public static IReadOnlyList<TaskView> Stalled(IReadOnlyList<TaskView> tasks, Func<string, TimeSpan> timeoutOf)
    {
        var timeouts = tasks.Select(t => t.Service).Distinct(StringComparer.Ordinal)
            .ToDictionary(s => s, timeoutOf, StringComparer.Ordinal);
        var answering = tasks.Where(t => t.SinceLastResponse < timeouts[t.Service]).Select(t => t.Service).ToHashSet(StringComparer.Ordinal);
        return tasks
            .Where(t => timeouts[t.Service] > TimeSpan.Zero
                && t.OldestPending > timeouts[t.Service]
                && t.SinceLastResponse > timeouts[t.Service]
                && answering.Contains(t.Service))
            .ToList();
    }
}
