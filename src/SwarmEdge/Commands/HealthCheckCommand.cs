using System.CommandLine;

namespace SwarmEdge.Commands;

/// <summary>
/// swarmedge healthcheck: the container's HEALTHCHECK. The images have no curl, and the binary is there anyway.
/// Asks the admin API's /healthz (liveness, not readiness: a SwarmEdge waiting for the Docker API must not be
/// restarted by Swarm, it serves its last good routes). Exit 0 healthy, 1 not.
/// </summary>
internal static class HealthCheckCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var url = new Option<string>("--url")
        {
            Description = "admin health endpoint",
            DefaultValueFactory = _ => $"http://127.0.0.1:{Environment.GetEnvironmentVariable("SwarmEdge__Admin__Port") ?? "8081"}/healthz",
        };
        var command = new Command("healthcheck", "Exit 0 when the local SwarmEdge's admin API says it is alive.") { url };
        command.SetAction(async (parse, ct) =>
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
            try
            {
                using var response = await http.GetAsync(parse.GetValue(url), ct);
                await output.WriteLineAsync($"{(int)response.StatusCode} {response.ReasonPhrase}");
                return response.IsSuccessStatusCode ? 0 : 1;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                await error.WriteLineAsync($"unhealthy: {ex.Message}");
                return 1;
            }
        });
        return command;
    }
}
