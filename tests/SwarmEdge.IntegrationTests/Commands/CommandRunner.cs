using SwarmEdge.IntegrationTests.Lab;

namespace SwarmEdge.IntegrationTests.Commands;

/// <summary>Runs a subcommand of the published SwarmEdge binary, as an operator would: SwarmEdge audit ...</summary>
internal static class CommandRunner
{
    public static Task<ShellResult> SwarmEdgeAsync(params string[] args) =>
        Shell.RunAsync(RepoPaths.SwarmEdgeBinary, args, TimeSpan.FromMinutes(2), check: false);

    /// <summary>A shell line, for what needs a redirection (feeding a file on stdin).</summary>
    public static Task<ShellResult> BashAsync(string script) => Shell.RunAsync("bash", ["-c", script], TimeSpan.FromMinutes(1), check: false);

    public static string Quote(string path) => "'" + path.Replace("'", "'\\''") + "'";
}
