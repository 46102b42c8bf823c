using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Playwright;
using SwarmEdge.IntegrationTests.Hostile;
using SwarmEdge.IntegrationTests.Lab;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Dashboard;

/// <summary>
/// The dashboard in a real browser (Debian's chromium, driven by Playwright) against the real binary on the real
/// swarm: what it lists, how fast it follows a scale, how it tells a task's end (SIGKILL, the OOM killer), a
/// broken label (whose value is hostile markup, shown as text), and 500 services. Screenshots go to
/// artifacts/dashboard/.
/// </summary>
[Collection(SingleNodeSwarmCollection.Name)]
public sealed class DashboardTests(SingleNodeSwarm swarm, ITestOutputHelper output) : IAsyncLifetime
{
    private const int ManyPort = 18490; // admin +1
    private static readonly string Screenshots = Path.Combine(RepoPaths.Root, "artifacts", "dashboard");

    private readonly SwarmServices _services = swarm.NewServices();
    private readonly string _routesFile = Path.Combine(Path.GetTempPath(), $"it-dashboard-{Guid.NewGuid():N}.yml");
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private SwarmEdgeProcess? _many;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Screenshots);
        _playwright = await Playwright.CreateAsync();
        _browser = await LabBrowser.LaunchAsync(_playwright);
    }

    [Fact]
    public async Task The_page_follows_the_swarm_and_tells_how_tasks_ended_and_what_is_broken()
    {
        var web = SwarmServices.UniqueName("db-web");
        var oom = SwarmServices.UniqueName("db-oom");
        var broken = SwarmServices.UniqueName("db-broken");
        await _services.CreateAsync(web, 2, SwarmServices.Labels(80, ("swarmedge.http.host", $"{web}.test")));
        // A task that outgrows its memory limit: tail is PID 1 and reads /dev/zero into memory until killed.
        await _services.CreateFromAsync("swarmedge-lab/base:bookworm", oom, 0, SwarmServices.Labels(80, ("swarmedge.http.host", $"{oom}.test")),
            "--limit-memory", "32m", "--restart-delay", "1s", "--entrypoint", "tail /dev/zero");
        await _services.ScaleAsync(oom, 1);
        // A careless (or hostile) team's label: markup as a value, shown by the page as the text it is.
        await _services.CreateAsync(broken, 1, SwarmServices.Labels(80, ("swarmedge.http.host", $"{broken}.test"),
            ("swarmedge.http.timeout", "<img src=x onerror=\"window.__pwned=1\">")));
        await ProductionEdge.WaitForEndpointsAsync(swarm.Edge, web, 2);

        var page = await _browser!.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var opened = Stopwatch.StartNew();
        await page.GotoAsync(new Uri(swarm.Edge.Admin, "dashboard/").ToString());
        // The lab's edge wants its token: typed into the page as an operator would.
        await page.Locator("#login").WaitForAsync();
        await page.FillAsync("#token", SwarmEdgeProcess.AdminToken);
        await page.ClickAsync("#login button");
        await page.FillAsync("#filter", "it-db-");
        var row = page.Locator($"tr[data-service='{web}']");
        await row.Locator("td[data-endpoints='2']").WaitForAsync(new() { Timeout = 10_000 });
        var firstRender = opened.Elapsed;

        // A scale up is on the page within 2 s of the CLI saying the tasks run.
        await _services.DockerAsync("service", "scale", "--detach=false", $"{web}=4");
        var scaled = Stopwatch.StartNew();
        await row.Locator("td[data-endpoints='4']").WaitForAsync(new() { Timeout = 10_000 });
        var scaleShown = scaled.Elapsed;

        // A task killed with SIGKILL: its end in the service's task history.
        await row.ClickAsync();
        await page.Locator($"#detail[data-detail='{web}'] #endpoint-table tbody tr").Nth(3).WaitForAsync();
        var victim = (await _services.RunningTasksAsync(web))[0];
        await Shell.DockerAsync("kill", "-s", "KILL", victim.ContainerId);
        var killed = page.Locator($"#task-table tr[data-task-id='{victim.Id}'] td[data-ending]");
        await page.WaitForFunctionAsync(
            "id => document.querySelector(`#task-table tr[data-task-id='${id}'] td[data-ending]`)?.textContent.startsWith('killed (exit 137')",
            victim.Id, new() { Timeout = 30_000 });
        var killedText = await killed.TextContentAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "service.png"), FullPage = true });

        // The task that outgrew its memory: the OOM killer named (its node's oom event reached the edge).
        await page.Locator($"tr[data-service='{oom}']").ClickAsync();
        await page.WaitForFunctionAsync(
            "() => [...document.querySelectorAll('#task-table td[data-ending]')].some(td => td.textContent.startsWith('killed by the OOM killer (exit 137)'))",
            null, new() { Timeout = 60_000 });
        var oomText = await page.Locator("#task-table td[data-ending]", new() { HasTextString = "OOM killer" }).First.TextContentAsync();
        var restarts = await page.Locator("#restarts").TextContentAsync();

        // The broken label: its error on the page, the markup in it shown as text and never run.
        await page.Locator($"tr[data-service='{broken}']").ClickAsync();
        var error = page.Locator($"#detail[data-detail='{broken}'] [data-error]").First;
        await error.WaitForAsync();
        var errorText = await error.TextContentAsync();
        Assert.Contains("label swarmedge.http.timeout=\"<img src=x onerror=\"window.__pwned=1\">\"", errorText, StringComparison.Ordinal);
        Assert.True(await page.EvaluateAsync<bool>("() => window.__pwned === undefined && document.querySelectorAll('#detail img').length === 0"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "broken-label.png"), FullPage = true });

        // Traffic: requests through the edge show on the route's row within a reading or two (every 5 s).
        using (var http = new HttpClient())
        {
            for (var i = 0; i < 200; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(swarm.Edge.Proxy, $"/{i}"));
                request.Headers.Host = $"{web}.test";
                (await http.SendAsync(request)).Dispose();
            }
        }

        await page.ClickAsync("#tabs button[data-view='traffic']");
        await page.FillAsync("#traffic-filter", web);
        await page.WaitForFunctionAsync(
            "route => { const row = document.querySelector(`#traffic-table tr[data-route='${route}']`); return row && row.children[5].textContent !== '-'; }",
            $"{web}/default", new() { Timeout = 20_000 });
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "traffic.png") });

        Assert.StartsWith("killed (exit 137", killedText, StringComparison.Ordinal);
        Assert.StartsWith("killed by the OOM killer (exit 137)", oomText, StringComparison.Ordinal);
        Assert.True(scaleShown < TimeSpan.FromSeconds(2), $"the scale showed {scaleShown.TotalSeconds:0.00} s after the CLI returned");
        Measurements.Record(output, "dashboard",
            $"first render with the login {firstRender.TotalSeconds:0.00} s; a scale 2 -> 4 on the page {scaleShown.TotalSeconds:0.00} s after docker service scale returned; " +
            $"SIGKILL: \"{killedText}\"; memory limit exceeded: \"{oomText}\", {restarts}; a broken label's markup shown as text, never run");
    }

    [Fact]
    public async Task Five_hundred_services_render_page_by_page_and_filter_at_once()
    {
        var file = new StringBuilder("services:\n");
        for (var i = 0; i < 500; i++)
        {
            file.Append(CultureInfo.InvariantCulture, $"  svc{i:D3}:\n    addresses: [127.0.0.{1 + (i % 200)}]\n    labels:\n      swarmedge.http.port: \"8{i % 10}\"\n      swarmedge.http.host: svc{i:D3}.many.test\n");
        }

        await File.WriteAllTextAsync(_routesFile, file.ToString());
        _many = await ProductionEdge.StartAsync(swarm, ManyPort, new() { ["SwarmEdge:Discovery:RoutesFile"] = _routesFile });
        await Eventually.HoldsAsync(async () => await _many.ServiceAsync("svc499@file") is not null, TimeSpan.FromSeconds(20), "the edge serves the 500 services");

        var page = await _browser!.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        await page.AddInitScriptAsync($"sessionStorage.setItem('swarmedge-admin-token', '{SwarmEdgeProcess.AdminToken}')");
        var opened = Stopwatch.StartNew();
        await page.GotoAsync(new Uri(_many.Admin, "dashboard/").ToString());
        await page.Locator("#service-table tbody tr").Nth(49).WaitForAsync();
        var firstRender = opened.Elapsed;
        var rows = await page.Locator("#service-table tbody tr").CountAsync();
        // The edge also lists the services other tests run on the shared swarm meanwhile: the file's 500 are
        // counted by their hosts.
        await page.FillAsync("#filter", ".many.test");
        await page.WaitForFunctionAsync("() => document.getElementById('count').textContent === '500 services'");
        var count = await page.Locator("#count").TextContentAsync();

        var filtering = Stopwatch.StartNew();
        await page.FillAsync("#filter", "svc42");
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#service-table tbody tr').length === 10");
        var filtered = filtering.Elapsed;
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "many-services.png") });

        // Reading the page every second costs the edge little: the document for a page of 50 of 500, timed.
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", SwarmEdgeProcess.AdminToken);
        var timing = Stopwatch.StartNew();
        for (var i = 0; i < 20; i++)
        {
            (await http.GetAsync(new Uri(_many.Admin, "api/dashboard/services?page=5&size=50"))).EnsureSuccessStatusCode();
        }

        var perRead = timing.Elapsed / 20;
        Assert.Equal(50, rows);
        Assert.Equal("500 services", count);
        Assert.True(firstRender < TimeSpan.FromSeconds(5), $"first render after {firstRender}");
        Measurements.Record(output, "dashboard, 500 services",
            $"first page of 50 rendered {firstRender.TotalSeconds:0.00} s after navigation; a filter to 10 services {filtered.TotalSeconds:0.00} s; " +
            $"a page of the services document {perRead.TotalMilliseconds:0.0} ms (20 reads)");
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_many is not null)
        {
            await _many.DisposeAsync();
        }

        File.Delete(_routesFile);
        await _services.DisposeAsync();
    }
}
