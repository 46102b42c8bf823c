using Microsoft.Extensions.Options;
using SwarmEdge.Discovery;

namespace SwarmEdge.Acme;

/// <summary>
/// The issuer's process (swarmedge issuer): the same configuration sources and Docker client as the edge, no
/// listener of its own (lego answers the challenges on SwarmEdge:Acme:ChallengePort while an order runs).
/// </summary>
internal static class IssuerHost
{
    private static readonly string[] KeyTypes = ["ec256", "ec384", "rsa2048", "rsa4096"];

    public static async Task<int> RunAsync(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddSwarmEdgeSources(args);
        var configured = SwarmEdgeConfiguration.Read(builder.Configuration);
        var errors = Validate(configured.Acme);
        if (errors.Count > 0)
        {
            foreach (var error in errors)
            {
                await Console.Error.WriteLineAsync($"error: {error}");
            }

            return Commands.CommandLine.UsageError;
        }

        builder.Services.AddOptions<SwarmEdgeOptions>()
            .Bind(builder.Configuration.GetSection(SwarmEdgeOptions.Section))
            .PostConfigure(o => o.ApplyDefaults())
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SwarmEdgeOptions>, SwarmEdgeOptionsValidator>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<DockerApi>();
        builder.Services.AddSingleton<SwarmReader>();
        builder.Services.AddSingleton<DockerConfigs>();
        builder.Services.AddSingleton<LegoClient>();
        builder.Services.AddSingleton<ChallengeRouteCheck>();
        builder.Services.AddHostedService<Issuer>();
        return await RefusedStart.RunAsync(() => builder.Build().RunAsync());
    }

    /// <summary>What the issuer needs beyond what the edge checks.</summary>
    internal static List<string> Validate(AcmeOptions acme)
    {
        var errors = new List<string>();
        if (!acme.Enabled)
        {
            errors.Add("SwarmEdge:Acme:StorageKeyFile is not set: the issuer stores what it orders sealed under that key");
        }

        if (!Uri.TryCreate(acme.DirectoryUrl, UriKind.Absolute, out var directory) || directory.Scheme != "https")
        {
            errors.Add($"SwarmEdge:Acme:Directory \"{acme.Directory}\" is neither letsencrypt, letsencrypt-staging nor an https:// directory URL");
        }

        if (!acme.Email.Contains('@', StringComparison.Ordinal) || acme.Email.Any(char.IsWhiteSpace))
        {
            errors.Add($"SwarmEdge:Acme:Email \"{acme.Email}\" is not an e-mail address (the CA's notices about the account go there)");
        }

        if (!KeyTypes.Contains(acme.KeyType))
        {
            errors.Add($"SwarmEdge:Acme:KeyType \"{acme.KeyType}\" is not one of {string.Join(", ", KeyTypes)}");
        }

        if (acme.RenewWhenLeft is <= 0 or >= 1)
        {
            errors.Add($"SwarmEdge:Acme:RenewWhenLeft {acme.RenewWhenLeft} is not a share of the lifetime between 0 and 1 (such as 0.33)");
        }

        if (acme.ChallengePort is < 1 or > 65535)
        {
            errors.Add($"SwarmEdge:Acme:ChallengePort {acme.ChallengePort} is not a port number from 1 to 65535");
        }

        foreach (var edge in acme.Edges.Where(e => ChallengeRouteCheck.Split(e).Port == 0))
        {
            errors.Add($"SwarmEdge:Acme:Edges \"{edge}\" is not name:port (the edges' HTTP entrypoint, such as tasks.edge:8080)");
        }

        if (acme.DnsProvider.Length > 0 && !acme.DnsProvider.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_'))
        {
            errors.Add($"SwarmEdge:Acme:DnsProvider \"{acme.DnsProvider}\" is not a lego DNS provider code (lego dnshelp lists them)");
        }

        foreach (var (key, value) in new[] { ("OrderTimeout", acme.OrderTimeout), ("RetryAfter", acme.RetryAfter), ("MaxRetryAfter", acme.MaxRetryAfter) })
        {
            if (value <= TimeSpan.Zero)
            {
                errors.Add($"SwarmEdge:Acme:{key} must be more than zero (it is {value})");
            }
        }

        return errors;
    }
}
