using System.CommandLine;
using SwarmEdge.Commands.Audit;
using SwarmEdge.Commands.Convert;

namespace SwarmEdge.Commands;

/// <summary>
/// The executable's subcommands (swarmedge audit, convert, healthcheck, acme, status; swarmedge issuer is a host of its own). Without one, SwarmEdge runs the proxy,
/// and its arguments are ASP.NET configuration (--SwarmEdge:Proxy:Port=80), which a command-line parser
/// would refuse: so only a known first word hands the arguments to the parser.
/// </summary>
internal static class CommandLine
{
    /// <summary>Usage errors share the exit code of the commands' own errors, 2; 1 means "audit found exposure".</summary>
    public const int UsageError = 2;

    private static readonly string[] Commands = ["audit", "convert", "healthcheck", "acme", "status"];

    /// <summary>A known command, or a request for help: "swarmedge --help" must not start a proxy on port 80.</summary>
    public static bool IsCommand(string[] args) => args.Length > 0 && (Commands.Contains(args[0]) || args is ["--help" or "-h" or "-?"]);

    public static Task<int> RunAsync(string[] args) => RunAsync(args, Console.Out, Console.Error, CancellationToken.None);

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var root = new RootCommand("SwarmEdge: an edge proxy for Docker Swarm. Without a command it runs the proxy.")
        {
            AuditCommand.Create(output, error),
            ConvertCommand.Create(output, error),
            HealthCheckCommand.Create(output, error),
            AcmeCommand.Create(output, error),
            StatusCommand.Create(output, error),
        };

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // System.CommandLine would print these and exit with 1, which for audit means "exposure found".
            foreach (var parseError in parse.Errors)
            {
                await error.WriteLineAsync($"error: {parseError.Message}");
            }

            await error.WriteLineAsync($"Run 'swarmedge {args[0]} --help' for usage.");
            return UsageError;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, ct);
    }
}
