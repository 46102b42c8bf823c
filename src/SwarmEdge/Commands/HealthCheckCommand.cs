using System.CommandLine;
using System.Net;

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
            DefaultValueFactory = _ => DefaultUrl(SwarmEdgeConfiguration.Read(new ConfigurationBuilder().AddSwarmEdgeSources([]).Build()).Admin),
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

    /// <summary>The admin API as the server listens on it (same configuration sources); loopback when it listens on any address.</summary>
    internal static string DefaultUrl(AdminOptions admin)
    {
        var host = IPAddress.TryParse(admin.Address, out var address) && !address.Equals(IPAddress.Any) && !address.Equals(IPAddress.IPv6Any)
            ? new UriBuilder { Host = address.ToString() }.Host
            : "127.0.0.1";
        return $"http://{host}:{admin.Port}/healthz";
    }
}
