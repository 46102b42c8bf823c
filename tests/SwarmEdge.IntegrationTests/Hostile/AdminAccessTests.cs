using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using SwarmEdge.IntegrationTests.Lab;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Hostile;

/// <summary>
/// The admin API shows task addresses, node IDs and Docker's errors: on its default address it is not
/// reachable from the network at all, and opened beyond loopback it answers nothing but the probes without the
/// bearer token.
/// </summary>
[Collection(SingleNodeSwarmCollection.Name)]
public sealed class AdminAccessTests(SingleNodeSwarm swarm, ITestOutputHelper output)
{
    [Fact]
    public async Task Beyond_loopback_every_path_but_the_probes_needs_the_token()
    {
        await using var edge = await ProductionEdge.StartAsync(swarm, 18384);
        using var anonymous = new HttpClient { BaseAddress = edge.Admin, Timeout = TimeSpan.FromSeconds(5) };
        using var wrong = new HttpClient { BaseAddress = edge.Admin, Timeout = TimeSpan.FromSeconds(5) };
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", SwarmEdgeProcess.AdminToken + "x");

        foreach (var path in new[] { "api/services", "metrics", "api/services/../metrics", "API/SERVICES", "nothing" })
        {
            using var response = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
            using var guessed = await wrong.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, guessed.StatusCode);
        }

        using var basic = new HttpRequestMessage(HttpMethod.Get, "api/services");
        basic.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("admin:admin"u8.ToArray()));
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(basic)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("healthz")).StatusCode);
        Assert.Equal("ready\n", await anonymous.GetStringAsync("readyz"));
        Assert.Equal(HttpStatusCode.OK, (await edge.GetAdminAsync("api/services")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await edge.GetAdminAsync("metrics")).StatusCode);
    }

    [Fact]
    public async Task On_its_default_address_it_is_reachable_from_its_own_network_namespace_only()
    {
        const int port = 18386;
        await using var edge = await ProductionEdge.StartAsync(swarm, port, new()
        {
            ["SwarmEdge:Admin:Address"] = "127.0.0.1",
            ["SwarmEdge:Admin:TokenFile"] = "",
        }, waitReady: false);

        var pid = swarm.Sidecar.Pid.ToString();
        string? inside = null;
        await Eventually.HoldsAsync(async () =>
        {
            inside = (await Shell.RunAsync("nsenter", ["-t", pid, "-n", "curl", "-s", "-m", "2", $"http://127.0.0.1:{port + 1}/readyz"], check: false)).Trimmed;
            return inside == "ready";
        }, TimeSpan.FromSeconds(60), "the admin API answers on the namespace's loopback");
        var services = await Shell.RunAsync("nsenter", ["-t", pid, "-n", "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", $"http://127.0.0.1:{port + 1}/api/services"]);
        Assert.Equal("200", services.Trimmed);
        // A page in the operator's browser that points a name of its own at 127.0.0.1 (DNS rebinding) is refused by its
        // Host; "localhost" is not.
        var rebound = await Shell.RunAsync("nsenter", ["-t", pid, "-n", "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: evil.example:8081",
            $"http://127.0.0.1:{port + 1}/api/dashboard/summary"]);
        var named = await Shell.RunAsync("nsenter", ["-t", pid, "-n", "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", $"http://localhost:{port + 1}/api/dashboard/summary"]);
        Assert.Equal(("421", "200"), (rebound.Trimmed, named.Trimmed));

        // From the host, as from any other container on the network: nothing listens on the sidecar's address.
        using var client = new TcpClient();
        var refused = await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(swarm.Sidecar.Address, port + 1));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        Assert.Contains("Admin API listening on 127.0.0.1", edge.Log);
        Measurements.Record(output, "admin API", "default address: 200 from its own namespace, connection refused from the network, 421 for a rebound name; " +
                                                  "with a token: 401 without it or with a wrong one (probes 200)");
    }
}
