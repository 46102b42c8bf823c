namespace SwarmEdge.Discovery;

/// <summary>The Docker API filter for the tasks SwarmEdge looks at: those whose desired state is running.</summary>
internal static class TaskFilters
{
    /// <param name="serviceIds">Only these services' tasks; null: every service's.</param>
    public static IDictionary<string, IDictionary<string, bool>> Running(IEnumerable<string>? serviceIds = null)
    {
        var filters = new Dictionary<string, IDictionary<string, bool>>
        {
            ["desired-state"] = new Dictionary<string, bool> { ["running"] = true },
        };
        if (serviceIds is not null)
        {
            filters["service"] = serviceIds.ToDictionary(id => id, _ => true, StringComparer.Ordinal);
        }

        return filters;
    }

    /// <summary>Every task Swarm still keeps of one service, whatever its state: its history (5 per slot by default).</summary>
    public static IDictionary<string, IDictionary<string, bool>> History(string serviceId) =>
        new Dictionary<string, IDictionary<string, bool>> { ["service"] = new Dictionary<string, bool> { [serviceId] = true } };
}
