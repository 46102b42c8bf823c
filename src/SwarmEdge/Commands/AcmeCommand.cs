using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using SwarmEdge.Acme;

namespace SwarmEdge.Commands;

/// <summary>
/// swarmedge acme list | renew HOST: what the swarm holds for automatic certificates, and a request to renew one
/// host now. Meant to run where the issuer runs (docker exec into its task: it has the storage key and its socket
/// proxy, which allows exactly these calls); the issuer places the requested order at its next poll, under the
/// same lock as any other. Exit codes: 0 done, 2 error.
/// </summary>
internal static class AcmeCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var configured = SwarmEdgeConfiguration.Read(new ConfigurationBuilder().AddSwarmEdgeSources([]).Build());
        var docker = new Option<string>("--docker")
        {
            Description = "Docker API of a swarm manager, or the issuer's socket proxy (unix:///path or tcp://host:port)",
            DefaultValueFactory = _ => configured.Docker.Endpoints[0],
        };
        var keyFile = new Option<string>("--key-file")
        {
            Description = "the storage key (SwarmEdge:Acme:StorageKeyFile)",
            DefaultValueFactory = _ => configured.Acme.StorageKeyFile,
        };
        var format = new Option<string>("--format") { Description = "output format", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var list = new Command("list", "Each host's certificate (valid until), order in progress and last failure, as stored in the swarm.") { format };
        list.SetAction((parse, ct) => ListAsync(parse.GetValue(docker)!, parse.GetValue(keyFile)!, parse.GetValue(format)!, output, error, ct));
        var host = new Argument<string>("host") { Description = "the host whose certificate to renew" };
        var renew = new Command("renew", "Ask the issuer to order a new certificate for a host now, valid or not.") { host };
        renew.SetAction((parse, ct) => RenewAsync(parse.GetValue(docker)!, parse.GetValue(keyFile)!, parse.GetValue(host)!, output, error, ct));
        return new Command("acme", "Automatic certificates: list what the swarm holds, request a renewal.") { docker, keyFile, list, renew };
    }

    private static async Task<int> ListAsync(string endpoint, string keyFile, string format, TextWriter output, TextWriter error, CancellationToken ct)
    {
        try
        {
            var key = StorageKey.Read(keyFile);
            using var configs = Configs(endpoint);
            var stored = await configs.ListAsync(null, ct);
            var status = StoredView.Open(key, stored, DateTimeOffset.UtcNow).Status();
            if (format == "json")
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(status, SwarmEdgeJsonContext.Default.IReadOnlyListAcmeHostStatus));
                return 0;
            }

            await output.WriteLineAsync("HOST\tVALID UNTIL\tORDER SINCE\tFAILURES\tNEXT ATTEMPT\tLAST ERROR");
            foreach (var s in status)
            {
                await output.WriteLineAsync(string.Join('\t', s.Host, Time(s.ValidUntil), Time(s.PendingSince), s.Failures.ToString(CultureInfo.InvariantCulture),
                    Time(s.NextAttempt), s.LastError ?? "-"));
            }

            return 0;
        }
        catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or TaskCanceledException or JsonException)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            return CommandLine.UsageError;
        }
    }

    private static async Task<int> RenewAsync(string endpoint, string keyFile, string host, TextWriter output, TextWriter error, CancellationToken ct)
    {
        try
        {
            var key = StorageKey.Read(keyFile);
            var name = host.Trim().ToLowerInvariant();
            if (name.Length is 0 or > 253 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
            {
                await error.WriteLineAsync($"error: '{host}' is not a host name (letters, digits, '-', '_' and dots; no scheme, port or path)");
                return CommandLine.UsageError;
            }

            using var configs = Configs(endpoint);
            var config = AcmeConfigNames.Renewal(key, name);
            var created = await configs.CreateAsync(config, AcmeConfigKind.Renewal, name,
                AcmePayloads.Seal(key, AcmeConfigKind.Renewal, name, config, new RenewalPayload(name, DateTimeOffset.UtcNow)), ct);
            await output.WriteLineAsync(created
                ? $"renewal of {name} requested: the issuer orders it at its next poll (its log, and /api/acme on the edges, say how it went)"
                : $"a renewal of {name} is already requested");
            return 0;
        }
        catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or TaskCanceledException)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            return CommandLine.UsageError;
        }
    }

    private static DockerConfigs Configs(string endpoint) =>
        new(Options.Create(new SwarmEdgeOptions { Docker = { Endpoints = { endpoint }, RequestTimeout = TimeSpan.FromSeconds(15) } }));

    private static string Time(DateTimeOffset? time) => time?.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";
}
