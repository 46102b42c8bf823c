namespace SwarmEdge.IntegrationTests.Lab;

internal static class Eventually
{
    /// <summary>Polls until the condition holds; fails with the description when time runs out.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, string description, TimeSpan? interval = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await condition())
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"not true after {timeout.TotalSeconds:0.#} s: {description}");
            }

            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(100));
        }
    }

    public static Task HoldsAsync(Func<bool> condition, TimeSpan timeout, string description, TimeSpan? interval = null) =>
        HoldsAsync(() => Task.FromResult(condition()), timeout, description, interval);
}
