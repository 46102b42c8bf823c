using System.Diagnostics;

namespace SwarmEdge.Tests;

internal static class Eventually
{
    /// <summary>Polls until the condition holds; fails with the description when the deadline passes.</summary>
    public static async Task HoldsAsync(Func<bool> condition, TimeSpan deadline, string description)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < deadline, $"not true after {deadline.TotalSeconds} s: {description}");
            await Task.Delay(10);
        }
    }
}
