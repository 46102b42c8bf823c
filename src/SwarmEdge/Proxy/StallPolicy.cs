namespace SwarmEdge.Proxy;

/// <summary>
/// Decides which tasks have stalled: a task whose oldest waiting request is older than the stall timeout and
/// that has not answered anything for that long, while another task of the same service has. That is how a
/// lost node looks (its connections hang, its peers answer) some seconds before Docker notices. A service
/// whose tasks are all slow has no stalled task: nobody answers, so nothing is compared. Pure.
/// </summary>
internal static class StallPolicy
{
    /// <param name="OldestPending">Age of the oldest request waiting for this task; null when none waits.</param>
    /// <param name="SinceLastResponse">Time since the task last started a response.</param>
    internal readonly record struct TaskView(string TaskId, string Service, TimeSpan? OldestPending, TimeSpan SinceLastResponse);

    public static IReadOnlyList<TaskView> Stalled(IReadOnlyList<TaskView> tasks, TimeSpan timeout)
    {
        var answering = tasks.Where(t => t.SinceLastResponse < timeout).Select(t => t.Service).ToHashSet(StringComparer.Ordinal);
        return tasks
            .Where(t => t.OldestPending > timeout && t.SinceLastResponse > timeout && answering.Contains(t.Service))
            .ToList();
    }
}
