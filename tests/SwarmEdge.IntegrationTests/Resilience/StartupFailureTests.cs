using System.Net;
using System.Net.Sockets;
using SwarmEdge.IntegrationTests.Commands;

namespace SwarmEdge.IntegrationTests.Resilience;

/// <summary>
/// The published binary refused a start (a setting out of range, a port another process holds) with one line that
/// says why and an exit code, not an abort with a stack trace: Swarm restarts the task either way, and the operator
/// reads the reason in docker service ps / logs.
/// </summary>
public sealed class StartupFailureTests
{
    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    [Fact]
    public async Task A_setting_out_of_range_exits_with_2_and_names_the_setting()
    {
        var run = await CommandRunner.SwarmEdgeAsync(
            $"--SwarmEdge:Proxy:Port={FreePort()}", $"--SwarmEdge:Admin:Port={FreePort()}", "--SwarmEdge:Proxy:Retry:RefusedWait=-00:00:01");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("swarmedge: the settings are invalid: SwarmEdge:Proxy:Retry:RefusedWait is -00:00:01", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_issuer_refuses_a_setting_out_of_range_the_same_way()
    {
        // Its own ACME settings are right: the shared validation at start is what refuses.
        var run = await CommandRunner.SwarmEdgeAsync(
            "issuer", "--SwarmEdge:Acme:StorageKeyFile=/nonexistent/key", "--SwarmEdge:Acme:Email=ops@example.com",
            "--SwarmEdge:Acme:Directory=letsencrypt-staging", "--SwarmEdge:Proxy:Retry:RefusedWait=-00:00:01");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("swarmedge: the settings are invalid: SwarmEdge:Proxy:Retry:RefusedWait is -00:00:01", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_another_process_holds_exits_with_1_and_names_the_address()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var held = ((IPEndPoint)holder.LocalEndpoint).Port;

        var run = await CommandRunner.SwarmEdgeAsync($"--SwarmEdge:Proxy:Port={FreePort()}", $"--SwarmEdge:Admin:Port={held}");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"swarmedge: cannot listen: Failed to bind to address http://127.0.0.1:{held}: address already in use", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", run.Error, StringComparison.Ordinal);
    }
}
