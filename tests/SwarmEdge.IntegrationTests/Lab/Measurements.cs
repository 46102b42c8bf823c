using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Lab;

/// <summary>
/// Numbers the tests observe (seconds until a new task serves, failed requests during an update), written to
/// the test output and appended to artifacts/measurements.log, which the test command prints at the end.
/// </summary>
internal static class Measurements
{
    private static readonly object Gate = new();

    public static void Record(ITestOutputHelper output, string scenario, string text)
    {
        var line = $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ} {scenario}: {text}";
        output.WriteLine(line);
        var dir = Path.Combine(RepoPaths.Root, "artifacts");
        lock (Gate)
        {
            Directory.CreateDirectory(dir);
            File.AppendAllText(Path.Combine(dir, "measurements.log"), line + Environment.NewLine);
        }
    }
}
