using System.CommandLine;
using System.Net.Http.Headers;
using System.Text.Json;
using SwarmEdge.Admin;

namespace SwarmEdge.Commands;

/// <summary>
/// swarmedge status: what the edge serves, for an ssh session. Asks the admin API of the edge the configuration
/// names (the same sources as the server: the token file, the address and port), or --url; exit 0 when the edge
/// is ready and no service has an error, 1 otherwise, 2 when the admin API cannot be read.
/// </summary>
internal static class StatusCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var admin = SwarmEdgeConfiguration.Read(new ConfigurationBuilder().AddSwarmEdgeSources([]).Build()).Admin;
        var url = new Option<string>("--url")
        {
            Description = "the edge's admin API",
            DefaultValueFactory = _ => HealthCheckCommand.DefaultUrl(admin).Replace("/healthz", "", StringComparison.Ordinal),
        };
        var tokenFile = new Option<string>("--token-file")
        {
            Description = "file holding the admin API's bearer token (default: SwarmEdge:Admin:TokenFile)",
            DefaultValueFactory = _ => admin.TokenFile,
        };
        var service = new Option<string?>("--service") { Description = "one service, with its endpoints" };
        var command = new Command("status", "Print what the edge serves: its state, every service with its endpoints and routes, and their errors.")
        {
            url, tokenFile, service,
        };
        command.SetAction(async (parse, ct) =>
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var file = parse.GetValue(tokenFile);
            try
            {
                if (!string.IsNullOrEmpty(file))
                {
                    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(file, ct)).Trim());
                }

                using var response = await http.GetAsync($"{parse.GetValue(url)!.TrimEnd('/')}/api/services", ct);
                if (!response.IsSuccessStatusCode)
                {
                    await error.WriteLineAsync($"error: the admin API answered {(int)response.StatusCode} {response.ReasonPhrase}" +
                        (response.StatusCode == System.Net.HttpStatusCode.Unauthorized ? " (give its token with --token-file)" : ""));
                    return CommandLine.UsageError;
                }

                var document = await response.Content.ReadFromJsonAsync(SwarmEdgeJsonContext.Default.ServicesDocument, ct)
                    ?? throw new JsonException("empty document");
                var only = parse.GetValue(service);
                if (only is not null && document.Services.All(s => s.Name != only))
                {
                    await error.WriteLineAsync($"error: the edge serves no service named {only}");
                    return CommandLine.UsageError;
                }

                await output.WriteAsync(StatusRenderer.Render(document, DateTimeOffset.UtcNow, only));
                return document.Ready && document.Services.All(s => s.Errors.Count == 0) ? 0 : 1;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException or UnauthorizedAccessException or JsonException)
            {
                await error.WriteLineAsync($"error: cannot read {parse.GetValue(url)}/api/services: {ex.Message}");
                return CommandLine.UsageError;
            }
        });
        return command;
    }
}
