using System.Diagnostics;
using Microsoft.Playwright;
using SwarmEdge.IntegrationTests.Lab;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Dashboard;

/// <summary>
/// The overlay broken to one node of the three-node lab while its Docker control traffic still flows (VXLAN,
/// UDP 4789, dropped in that node's namespace): Swarm keeps the node Ready and its tasks running, the edge on
/// n1 cannot reach them. Under load through the edge: the dashboard's banner and swarmedge_node_unreachable name
/// the node, and no request fails.
/// </summary>
[Collection(MultiNodeSwarmCollection.Name)]
public sealed class BrokenOverlayTests(MultiNodeSwarm lab, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Connections = 16;
    private readonly SwarmServices _services = lab.NewServices();
    private SwarmEdgeProcess? _edge;

    [Fact]
    public async Task A_node_whose_overlay_is_broken_is_named_within_10_s_and_costs_no_request()
    {
        var name = SwarmServices.UniqueName("overlay");
        await _services.CreateAsync(name, 6, SwarmServices.Labels());
        _edge = lab.StartEdge(4, 1);
        await _edge.WaitReadyAsync(TimeSpan.FromSeconds(60));
        await Eventually.HoldsAsync(async () => await _edge.EndpointCountAsync(name) == 6, TimeSpan.FromSeconds(30), $"six endpoints of {name}");
        // Not the node the edge runs on, not the Raft leader: the lab's managers keep talking over TCP 2377 anyway.
        const int broken = 3;
        var hostname = MultiNodeSwarm.HostnameOf(broken);
        var brokenId = await MultiNodeSwarm.NodeIdAsync(broken);
        Assert.Contains(await _services.RunningTasksAsync(name), t => t.NodeId == brokenId);
        await Eventually.HoldsAsync(async () => await _edge.MetricAsync($"swarmedge_node_unreachable{{node=\"{hostname}\"}}") == 0 && await Reached(hostname),
            TimeSpan.FromSeconds(20), $"the edge has asked {hostname}'s tasks and they answered");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LabBrowser.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 800 } });
        await page.AddInitScriptAsync($"sessionStorage.setItem('swarmedge-admin-token', '{SwarmEdgeProcess.AdminToken}')");
        await page.GotoAsync(new Uri(_edge.Admin, "dashboard/").ToString());
        await page.ClickAsync("#tabs button[data-view='nodes']");
        await page.Locator($"tr[data-node='{hostname}']").WaitForAsync();

        await using var load = new LoadGenerator(_edge.Proxy, name, Connections).Start();
        await load.WaitForRequestsAsync(1000, TimeSpan.FromSeconds(20));
        var brokeAt = load.Now;
        await VxlanAsync(broken, "-I");
        var clock = Stopwatch.StartNew();
        try
        {
            await page.Locator($"[data-node-alert='{hostname}']").WaitForAsync(new() { Timeout = 15_000 });
            var onPage = clock.Elapsed;
            await Eventually.HoldsAsync(async () => await _edge.MetricAsync($"swarmedge_node_unreachable{{node=\"{hostname}\"}}") == 1,
                TimeSpan.FromSeconds(15), $"swarmedge_node_unreachable names {hostname}");
            var inMetric = clock.Elapsed;
            await page.ScreenshotAsync(new() { Path = Path.Combine(RepoPaths.Root, "artifacts", "dashboard", "broken-overlay.png") });
            var banner = await page.Locator($"[data-node-alert='{hostname}']").TextContentAsync();

            // Swarm still has the node Ready and its tasks running: this is the edge's finding, not Docker's.
            var state = (await MultiNodeSwarm.Docker(1, "node", "inspect", "--format", "{{.Status.State}}", hostname)).Trimmed;
            await load.WaitForRequestsAsync(load.Requests + 2000, TimeSpan.FromSeconds(30));
            await load.StopAsync();

            Measurements.Record(output, "broken overlay (VXLAN dropped on one node)",
                $"{hostname} named on the dashboard {onPage.TotalSeconds:0.0} s and in swarmedge_node_unreachable {inMetric.TotalSeconds:0.0} s after the drop " +
                $"(Docker: node {state}); {load.Requests} requests, {load.Failures.Count} failed, slowest {load.MaxLatency:0.00} s; " +
                $"{load.TasksSeenSince(brokeAt + 5).Count} tasks answered after the first 5 s");
            Assert.Equal("ready", state);
            Assert.Contains(hostname, banner, StringComparison.Ordinal);
            Assert.True(onPage < TimeSpan.FromSeconds(10), $"named on the page {onPage.TotalSeconds:0.0} s after the drop");
            Assert.True(load.Failures.Count == 0, "failed requests:\n" + string.Join('\n', load.Failures.Take(20)));
            // As a lost node: the stall check and one connect timeout, the retry on another node.
            Assert.True(load.MaxLatency < 2, $"slowest request took {load.MaxLatency:0.00} s");
        }
        finally
        {
            await VxlanAsync(broken, "-D");
        }

        await Eventually.HoldsAsync(async () => await _edge.MetricAsync($"swarmedge_node_unreachable{{node=\"{hostname}\"}}") == 0,
            TimeSpan.FromSeconds(20), $"{hostname} reachable again once VXLAN flows");
    }

    private async Task<bool> Reached(string hostname)
    {
        using var response = await _edge!.GetAdminAsync("api/dashboard/summary");
        var summary = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return summary.GetProperty("nodes").EnumerateArray().Any(n => n.GetProperty("hostname").GetString() == hostname
                                                                     && n.GetProperty("reachable").ValueKind == System.Text.Json.JsonValueKind.True);
    }

    /// <summary>VXLAN (UDP 4789) dropped, or let through again, both ways in the node's network namespace.</summary>
    private static async Task VxlanAsync(int node, string action)
    {
        foreach (var chain in new[] { "INPUT", "OUTPUT" })
        {
            await Shell.RunAsync("nsenter", [$"--net=/var/run/netns/selab-n{node}", "iptables", action, chain, "-p", "udp", "--dport", "4789", "-j", "DROP"], check: action == "-I");
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_edge is not null)
        {
            await _edge.DisposeAsync();
        }

        await _services.DisposeAsync();
    }
}
