using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace SwarmEdge;

/// <summary>
/// Runs a host (the edge, the issuer) so that a start it refuses ends in one line that says why and an exit code,
/// not an abort with a stack trace: Swarm restarts the task either way, and the operator reads the reason in
/// docker service ps / logs.
/// </summary>
internal static class RefusedStart
{
    public static async Task<int> RunAsync(Func<Task> run)
    {
        try
        {
            await run();
            return 0;
        }
        catch (OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync($"swarmedge: the settings are invalid: {string.Join("; ", ex.Failures)}");
            return Commands.CommandLine.UsageError;
        }
        catch (IOException ex) when (ex.InnerException is AddressInUseException)
        {
            // Another process holds a port (a second edge on the node, an old one still stopping).
            await Console.Error.WriteLineAsync($"swarmedge: cannot listen: {ex.Message}");
            return 1;
        }
    }
}
