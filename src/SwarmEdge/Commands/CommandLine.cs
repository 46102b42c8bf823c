namespace SwarmEdge.Commands;

/// <summary>
/// The executable's subcommands (swarmedge audit, swarmedge convert). Without one, SwarmEdge runs the proxy,
/// and its arguments are ASP.NET configuration (--SwarmEdge:Proxy:Port=80), which a command-line parser
/// would refuse: so only a known first word hands the arguments to the parser.
/// </summary>
internal static class CommandLine
{
    private static readonly string[] Commands = [];

    public static bool IsCommand(string[] args) => args.Length > 0 && Commands.Contains(args[0]);

    public static Task<int> RunAsync(string[] args) => Task.FromResult(2);
}
