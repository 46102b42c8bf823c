namespace SwarmEdge;

/// <summary>
/// Where SwarmEdge's configuration comes from, ASP.NET style, later sources winning: config/appsettings.json
/// next to the binary, the file named by SWARMEDGE_CONFIG, environment variables (SwarmEdge__Proxy__Port=80),
/// the command line (--SwarmEdge:Proxy:Port=80). The server and the healthcheck command read the same.
/// </summary>
internal static class SwarmEdgeConfiguration
{
    public static IConfigurationBuilder AddSwarmEdgeSources(this IConfigurationBuilder configuration, string[] args)
    {
        var file = Environment.GetEnvironmentVariable("SWARMEDGE_CONFIG");
        configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "config", "appsettings.json"), optional: true);
        if (file is { Length: > 0 })
        {
            configuration.AddJsonFile(Path.GetFullPath(file), optional: false);
        }

        return configuration.AddEnvironmentVariables().AddCommandLine(args);
    }

    /// <summary>The options as configured, for what must be known before the host is built (listeners, commands).</summary>
    public static SwarmEdgeOptions Read(IConfiguration configuration)
    {
        var options = configuration.GetSection(SwarmEdgeOptions.Section).Get<SwarmEdgeOptions>() ?? new SwarmEdgeOptions();
        options.ApplyDefaults();
        return options;
    }
}
