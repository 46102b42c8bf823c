namespace SwarmEdge.Proxy;

/// <summary>
/// The tasks to choose from for the next attempt, HTTP or TCP: the healthy ones, or all of them when none is
/// (a health verdict that takes out every task must not take out the service).
/// </summary>
internal static class HealthyFirst
{
    public static List<T> Choose<T>(IEnumerable<T> candidates, Func<T, bool> isHealthy)
    {
        var all = candidates.ToList();
        var healthy = all.Where(isHealthy).ToList();
        return healthy.Count > 0 ? healthy : all;
    }
}
