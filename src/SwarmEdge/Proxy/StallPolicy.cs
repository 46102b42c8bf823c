namespace SwarmEdge.Proxy;

/// <summary>
/// Decides which tasks are suspected of being on a lost node, whose connections hang instead of failing:
/// - a task whose oldest waiting request is older than its service's stall timeout and that has not answered
///   anything for that long, while another task of the same service has (a service whose tasks are all slow
///   has no suspect: nobody answers, so nothing is compared; a service whose timeout is zero never has one);
/// - a task that left the rotation with requests still waiting on it.
/// A suspect is only a suspect: StallDetector asks it for a connection before anything is done. Pure.
/// </summary>
internal static class StallPolicy
{
    /// <param name="OldestPending">Age of the oldest request waiting for this task; null when none waits.</param>
    /// <param name="SinceLastResponse">Time since the task last started a response.</param>
    /// <param name="Departed">The task left the rotation (stopping, or dropped by Docker's DNS).</param>
    internal readonly record struct TaskView(string TaskId, string Service, TimeSpan? OldestPending, TimeSpan SinceLastResponse, bool Departed = false);

    /// <param name="timeoutOf">The stall timeout of a service; zero or less: stall detection is off for it.</param>
    public static IReadOnlyList<TaskView> Suspects(IReadOnlyList<TaskView> tasks, Func<string, TimeSpan> timeoutOf)
    {
        var timeouts = tasks.Select(t => t.Service).Distinct(StringComparer.Ordinal)
            .ToDictionary(s => s, timeoutOf, StringComparer.Ordinal);
        var answering = tasks.Where(t => !t.Departed && t.SinceLastResponse < timeouts[t.Service]).Select(t => t.Service)
            .ToHashSet(StringComparer.Ordinal);
        return tasks
            .Where(t => t.Departed
                ? t.OldestPending is not null
                : timeouts[t.Service] > TimeSpan.Zero
                  && t.OldestPending > timeouts[t.Service]
                  && t.SinceLastResponse > timeouts[t.Service]
                  && answering.Contains(t.Service))
            .ToList();
    }
}
