using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using SwarmEdge.IntegrationTests.Lab;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Deployment;

/// <summary>
/// The floating IP as a user deploys it, on the three-node lab with two edge nodes (n1, priority 150; n2, 100):
/// stack.yml with the probe port published, examples/whoami.yml, and edge-ha.yml's keepalived on the nodes'
/// host network. A client outside the edge nodes (the lab host) sends to the virtual IP, 16 clients each opening
/// a connection per request, as clients from the internet do; every answer is checked.
/// </summary>
[Collection(MultiNodeSwarmCollection.Name)]
public sealed class FloatingIpTests(FloatingIpLab lab, ITestOutputHelper output) : IClassFixture<FloatingIpLab>, IAsyncLifetime
{
    private const int Clients = 16;

    /// <summary>The edge node holding the floating IP when the test starts, and the other one.</summary>
    private int _holder;
    private int _other;

    public async Task InitializeAsync()
    {
        _holder = await lab.DeployAndWaitSteadyAsync(output);
        _other = 3 - _holder;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Sigterm_on_the_holder_moves_the_ip_before_its_edge_stops_accepting_and_fails_no_request()
    {
        await using var load = await StartLoadAsync();
        var signalledAt = await SignalHoldersEdgeAsync(load, "TERM");

        // Both at once: when the IP leaves the holder, and when its edge refuses a connection to the node's own address.
        var moved = WhenAsync(load, async () => (await FloatingIpLab.HoldersAsync()).SequenceEqual([_other]));
        var closed = WhenAsync(load, async () => !await TcpPort.AcceptsAsync(MultiNodeSwarm.AddressOf(_holder), 80, TimeSpan.FromSeconds(1)));
        var movedAt = await moved - signalledAt;
        var closedAt = await closed - signalledAt;
        await load.WaitForRequestsAsync(load.Requests + 1000, TimeSpan.FromSeconds(30));
        await load.StopAsync();

        Measurements.Record(output, "floating IP, SIGTERM to the holder's edge",
            $"the IP left n{_holder} for n{_other} {movedAt:0.00} s after the signal, n{_holder}'s edge stopped accepting at {closedAt:0.00} s; " +
            $"{load.Requests} requests, {load.Failures.Count} failed, slowest {load.MaxLatency:0.00} s");
        Assert.True(movedAt < closedAt, $"the IP moved at {movedAt:0.00} s, after the edge stopped accepting at {closedAt:0.00} s");
        AssertNoFailures(load);
    }

    [Fact]
    public async Task Forced_update_of_the_edge_service_fails_no_request()
    {
        await using var load = await StartLoadAsync();
        await using var holders = new HolderTimeline(load);
        var clock = Stopwatch.StartNew();
        var update = await Shell.RunAsync("docker", ["-H", MultiNodeSwarm.HostOf(1), "service", "update", "--force", "--detach=false", $"{FloatingIpLab.Stack}_edge"],
            TimeSpan.FromMinutes(5), check: false);
        output.WriteLine(update.Output + update.Error);
        Assert.Equal(0, update.ExitCode);
        var updated = clock.Elapsed.TotalSeconds;
        await load.WaitForRequestsAsync(load.Requests + 1000, TimeSpan.FromSeconds(30));
        await load.StopAsync();
        await holders.StopAsync();

        Measurements.Record(output, "floating IP, docker service update --force of the edge (two edge nodes, one at a time)",
            $"updated in {updated:0.0} s; the IP on {holders}; {load.Requests} requests, {load.Failures.Count} failed, slowest {load.MaxLatency:0.00} s");
        AssertNoFailures(load);
    }

    [Fact]
    public async Task Sigkill_of_the_holders_edge_moves_the_ip_within_3_s()
    {
        await using var load = await StartLoadAsync();
        var killedAt = await SignalHoldersEdgeAsync(load, "KILL");
        var movedAt = await WhenAsync(load, async () => (await FloatingIpLab.HoldersAsync()).SequenceEqual([_other])) - killedAt;
        await Eventually.HoldsAsync(() => load.Now > killedAt + movedAt + 1, TimeSpan.FromSeconds(10), "a second after the move");
        await load.WaitForRequestsAsync(load.Requests + 1000, TimeSpan.FromSeconds(30));
        await load.StopAsync();

        var during = load.Window(killedAt, killedAt + movedAt + 1);
        Measurements.Record(output, "floating IP, SIGKILL of the holder's edge",
            $"the IP moved from n{_holder} to n{_other} {movedAt:0.00} s after the kill; {load.Requests} requests, {load.Failures.Count} failed " +
            $"({during.Failed} of them until a second after the move), longest stretch without an answer {load.LongestGap(killedAt, load.Now):0.00} s");
        Assert.True(movedAt < 3, $"the IP moved {movedAt:0.00} s after the kill");
        // Refused and reset connections while the IP is on a node without an edge; none once it has moved.
        var after = load.Window(killedAt + movedAt + 1, load.Now);
        Assert.True(after.Requests > 0 && after.Failed == 0, $"after the move: {after.Requests} requests, {after.Failed} failed:\n" +
            string.Join('\n', load.Failures.Take(20)));
    }

    [Fact]
    public async Task Cutting_the_holders_link_moves_the_ip_to_the_other_edge_node()
    {
        await using var load = await StartLoadAsync();
        var cutAt = load.Now;
        await MultiNodeSwarm.CutAsync(_holder);
        try
        {
            // The cut node keeps the IP in its own cut-off namespace; what counts is the other one taking it.
            var movedAt = await WhenAsync(load, async () => (await FloatingIpLab.HoldersAsync()).Contains(_other)) - cutAt;
            // Past the last request that could have been caught on the cut node, then a stretch of traffic on the other.
            var settled = cutAt + movedAt + LoadTimeout.TotalSeconds + 1;
            await Eventually.HoldsAsync(() => load.Now > settled, TimeSpan.FromSeconds(30), "the requests caught on the cut node have timed out");
            await load.WaitForRequestsAsync(load.Requests + 1000, TimeSpan.FromSeconds(60));
            await load.StopAsync();

            Measurements.Record(output, $"floating IP, the holder's link cut (n{_holder})",
                $"the IP moved to n{_other} {movedAt:0.00} s after the cut; {load.Requests} requests, {load.Failures.Count} failed " +
                $"(requests caught on n{_holder} time out after {LoadTimeout.TotalSeconds:0} s), longest stretch without an answer " +
                $"{load.LongestGap(cutAt, load.Now):0.00} s");
            Assert.True(movedAt < 6, $"the IP moved {movedAt:0.00} s after the cut");
            var after = load.Window(settled, load.Now);
            Assert.True(after.Requests > 0 && after.Failed == 0, $"after {settled - cutAt:0.0} s: {after.Requests} requests, {after.Failed} failed:\n" +
                string.Join('\n', load.Failures.Take(20)));
        }
        finally
        {
            await MultiNodeSwarm.RestoreAsync(_holder);
            await MultiNodeSwarm.WaitHealthyAsync();
        }
    }

    [Fact]
    public async Task Both_edges_apply_a_new_route_within_a_second_of_each_other()
    {
        await using var services = new SwarmServices("swarmedge", MultiNodeSwarm.HostOf(1));
        var spreads = new List<double>();
        var firsts = new List<double>();
        for (var round = 0; round < 3; round++)
        {
            var host = $"spread{round}-{Guid.NewGuid().ToString("N")[..6]}.localhost";
            var clock = Stopwatch.StartNew();
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            var first = FirstAnswerAsync(MultiNodeSwarm.AddressOf(1), host, clock, stop.Token);
            var second = FirstAnswerAsync(MultiNodeSwarm.AddressOf(2), host, clock, stop.Token);
            var name = await services.CreateAsync(SwarmServices.UniqueName("spread"), 1,
                SwarmServices.Labels(80, ("swarmedge.http.host", host)));
            var running = clock.Elapsed.TotalSeconds;
            var (n1, n2) = (await first, await second);
            spreads.Add(Math.Abs(n1 - n2));
            firsts.Add(Math.Min(n1, n2) - running);
            await services.RemoveAsync(name);
        }

        Measurements.Record(output, "two edges converging on a new service",
            $"first edge served it {string.Join(", ", firsts.Select(f => $"{f:0.00}"))} s after docker service ps said running; " +
            $"the other edge {string.Join(", ", spreads.Select(s => $"{s * 1000:0}"))} ms later");
        Assert.All(spreads, s => Assert.True(s < 1, $"spread {s:0.000} s"));
    }

    /// <summary>
    /// A tenant's task on an edge node, on its default bridge, running keepalived with the deployment's own
    /// password at priority 254 (the strongest form: it learned the password). Its adverts leave masqueraded to
    /// the node's address, but that address pair already carries the edges' own VRRP flow, and a portless protocol
    /// has no other tuple to NAT to, so the kernel drops them; from any other address the source check would.
    /// Under load: the IP stays where it is, no request fails.
    /// </summary>
    [Fact]
    public async Task A_tenant_container_sending_vrrp_adverts_cannot_move_the_ip()
    {
        await using var load = await StartLoadAsync();
        await using var holders = new HolderTimeline(load);
        try
        {
            await StartRogueAsync(_other, lab.Password);
            var masterAt = await WhenAsync(load, async () =>
                (await MultiNodeSwarm.Docker(_other, "logs", Rogue)) is var logs && (logs.Output + logs.Error).Contains("Entering MASTER STATE", StringComparison.Ordinal));
            // Five of its adverts (one a second) sent while the load runs: the IP has to stay through them.
            await Eventually.HoldsAsync(() => load.Now > masterAt + 5, TimeSpan.FromSeconds(30), "five rogue adverts sent");
            await load.StopAsync();
            await holders.StopAsync();

            Measurements.Record(output, "floating IP, a tenant container on an edge node sending VRRP adverts (password known, priority 254)",
                $"the IP on {holders}; {load.Requests} requests, {load.Failures.Count} failed");
            Assert.Equal([(holders.First, $"n{_holder}")], holders.Changes);
            AssertNoFailures(load);
        }
        finally
        {
            await MultiNodeSwarm.Docker(_other, "rm", "-f", Rogue);
        }
    }

    [Fact]
    public async Task Audit_names_keepalived_as_the_host_network_service_on_both_edge_nodes()
    {
        var audit = await Shell.RunAsync(RepoPaths.SwarmEdgeBinary, ["audit", "--docker", MultiNodeSwarm.HostOf(1)], check: false);
        output.WriteLine(audit.Output + audit.Error);

        Assert.Contains($"  {FloatingIpLab.VrrpService}: {MultiNodeSwarm.HostnameOf(1)}, {MultiNodeSwarm.HostnameOf(2)}\n", audit.Output);
        Assert.Contains("Result: nothing is exposed outside the edge nodes.", audit.Output);
        // Named there only, not as a service SwarmEdge could front.
        Assert.Single(audit.Output.Split('\n'), line => line.Contains(FloatingIpLab.VrrpService, StringComparison.Ordinal));
    }

    internal const string Rogue = "it-ha-rogue";

    /// <summary>keepalived in a plain container on the node's default bridge, claiming the floating IP at priority 254.</summary>
    private static async Task StartRogueAsync(int node, string password)
    {
        await MultiNodeSwarm.Docker(node, "rm", "-f", Rogue);
        var peers = $"{MultiNodeSwarm.AddressOf(1)},{MultiNodeSwarm.AddressOf(2)}";
        var run = await MultiNodeSwarm.Docker(node, "run", "-d", "--name", Rogue, "--cap-drop", "ALL",
            "--cap-add", "NET_ADMIN", "--cap-add", "NET_RAW", "--cap-add", "NET_BROADCAST", "--cap-add", "SETUID", "--cap-add", "SETGID",
            "-e", $"VRRP_VIPS={FloatingIpLab.Vip}/24", "-e", "NODE=rogue", "-e", "VRRP_PRIORITIES=rogue=254", "-e", "PROBE_URL=file:///etc/hostname",
            "-e", $"PASSWORD={password}", "--entrypoint", "sh", ProductionImages.Vrrp, "-c",
            "printf %s \"$PASSWORD\" > /tmp/password; own=$(ip -o -4 addr show dev eth0 | awk '{ sub(\"/.*\", \"\", $4); print $4 }'); " +
            $"VRRP_PASSWORD_FILE=/tmp/password VRRP_PEERS=$own,{peers} exec swarmedge-vrrp");
        Assert.True(run.ExitCode == 0, run.Error);
    }

    private static readonly TimeSpan LoadTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The clients on the floating IP, past their first 500 answers.</summary>
    private static async Task<LoadGenerator> StartLoadAsync()
    {
        var load = new LoadGenerator(new Uri($"http://{FloatingIpLab.Vip}/"), "whoami.localhost", Clients, closeEach: true, timeout: LoadTimeout).Start();
        await load.WaitForRequestsAsync(500, TimeSpan.FromSeconds(30));
        return load;
    }

    /// <summary>Sends the signal to SwarmEdge on the node holding the IP; returns when, on the load's clock.</summary>
    private async Task<double> SignalHoldersEdgeAsync(LoadGenerator load, string signal)
    {
        var container = await FloatingIpLab.EdgeContainerAsync(_holder);
        var at = load.Now;
        await MultiNodeSwarm.Docker(_holder, "kill", "-s", signal, container);
        return at;
    }

    /// <summary>The time on the load's clock when the condition first holds (polled every 50 ms, for up to 30 s).</summary>
    private static async Task<double> WhenAsync(LoadGenerator load, Func<Task<bool>> condition)
    {
        await Eventually.HoldsAsync(condition, TimeSpan.FromSeconds(30), "the condition holds", TimeSpan.FromMilliseconds(50));
        return load.Now;
    }

    /// <summary>Seconds on the clock when the edge at the address first answers 200 for the host, polling every 10 ms.</summary>
    private static async Task<double> FirstAnswerAsync(string address, string host, Stopwatch clock, CancellationToken cancel)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{address}/");
            request.Headers.Host = host;
            try
            {
                using var response = await http.SendAsync(request, cancel);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return clock.Elapsed.TotalSeconds;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(10, cancel);
        }
    }

    private static void AssertNoFailures(LoadGenerator load) =>
        Assert.True(load.Failures.Count == 0, "failed requests:\n" + string.Join('\n', load.Failures.Take(20)));
}

/// <summary>Where the floating IP was, when (seconds on the load's clock): polled every 100 ms in the background.</summary>
internal sealed class HolderTimeline : IAsyncDisposable
{
    private readonly List<(double At, string Holders)> _changes = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _polling;

    public HolderTimeline(LoadGenerator load) => _polling = PollAsync(load);

    /// <summary>Each change: when, and the nodes holding the IP from then on ("n1", "n1+n2", "none").</summary>
    public IReadOnlyList<(double At, string Holders)> Changes
    {
        get
        {
            lock (_changes)
            {
                return [.. _changes];
            }
        }
    }

    /// <summary>When the first poll answered.</summary>
    public double First => Changes[0].At;

    private async Task PollAsync(LoadGenerator load)
    {
        while (!_stop.IsCancellationRequested)
        {
            var holders = string.Join("+", (await FloatingIpLab.HoldersAsync()).Select(n => $"n{n}")) is { Length: > 0 } named ? named : "none";
            lock (_changes)
            {
                if (_changes.Count == 0 || _changes[^1].Holders != holders)
                {
                    _changes.Add((load.Now, holders));
                }
            }

            await Task.Delay(100);
        }
    }

    public async Task StopAsync()
    {
        _stop.Cancel();
        await _polling;
    }

    public override string ToString()
    {
        lock (_changes)
        {
            return string.Join(", ", _changes.Select(c => $"{c.Holders} from {c.At:0.0} s"));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}

/// <summary>
/// The two-edge deployment the floating IP tests share: n2 labelled as an edge node too, the VRRP password as a
/// Docker secret, the three stacks deployed once; removed (and n2's label with them) when the class is done.
/// </summary>
public sealed class FloatingIpLab : IAsyncLifetime
{
    internal const string Stack = "it-ha";
    internal const string Vip = "10.77.0.100";
    private const string Demo = "it-ha-demo";
    private const string Vrrp = "it-ha-vrrp";
    internal const string VrrpService = $"{Vrrp}_vrrp";

    /// <summary>The deployment's services and their running tasks: an edge and a keepalived on each edge node.</summary>
    private static readonly (string Stack, string Service, int Tasks)[] Services =
        [(Stack, "edge", 2), (Stack, "socket-proxy", 3), (Demo, "whoami", 3), (Vrrp, "vrrp", 2)];
    private const string Secret = "swarmedge_vrrp_password";
    private bool _deployed;

    /// <summary>The VRRP password the deployment's keepalived instances share (a Docker secret).</summary>
    internal string Password { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Deploys once; then waits for the state every case starts from and returns the node holding the IP.</summary>
    internal async Task<int> DeployAndWaitSteadyAsync(ITestOutputHelper output)
    {
        if (!_deployed)
        {
            await ProductionImages.EnsureAsync();
            await MultiNodeSwarm.WaitHealthyAsync();
            await RemoveAsync();
            await MultiNodeSwarm.SetEdgeLabelAsync(2, true);
            await Shell.RunAsync("sh", ["-c", $"printf %s {Password} | docker -H {MultiNodeSwarm.HostOf(1)} secret create {Secret} -"]);
            await ProductionStack.DeployAsync(output, await ProductionStack.StackFileAsync(output, publishProbePort: true), Stack);
            await ProductionStack.DeployAsync(output, Path.Combine("examples", "whoami.yml"), Demo);
            await ProductionStack.DeployAsync(output, "edge-ha.yml", Vrrp,
                $"VRRP_VIPS={Vip}/24", $"VRRP_PEERS={MultiNodeSwarm.AddressOf(1)},{MultiNodeSwarm.AddressOf(2)}",
                $"VRRP_PRIORITIES={MultiNodeSwarm.HostnameOf(1)}=150,{MultiNodeSwarm.HostnameOf(2)}=100");
            await ProductionStack.WaitRunningAsync(output, TimeSpan.FromSeconds(120), Services);
            _deployed = true;
        }

        // Every case starts from the same place: both edges ready, the IP on one of them alone (where an earlier
        // case left it: a ready holder keeps it), the demo answering on it.
        // Held for 3 s: keepalived leaves FAULT only after two good probes (2 s) once its edge answers ready.
        IReadOnlyList<int> holders = [];
        var since = DateTime.MaxValue;
        await Eventually.HoldsAsync(async () =>
            {
                var steady = await ProductionStack.AllRunningAsync(Services) && await ReadyAsync(1) && await ReadyAsync(2) &&
                             (holders = await HoldersAsync()) is [1] or [2] && await AnswersAsync();
                since = steady ? (since == DateTime.MaxValue ? DateTime.UtcNow : since) : DateTime.MaxValue;
                return steady && DateTime.UtcNow - since >= TimeSpan.FromSeconds(3);
            },
            TimeSpan.FromSeconds(180), "both edges ready, the floating IP on one of them alone, the demo answering on it, for 3 s", TimeSpan.FromSeconds(1));
        return holders[0];
    }

    /// <summary>The edge nodes whose interface has the floating IP now.</summary>
    internal static async Task<IReadOnlyList<int>> HoldersAsync()
    {
        var holders = new List<int>();
        foreach (var node in new[] { 1, 2, 3 })
        {
            var addresses = await Shell.RunAsync("ip", ["netns", "exec", MultiNodeSwarm.HostnameOf(node), "ip", "-o", "-4", "addr", "show", "dev", "eth0"], check: false);
            if (addresses.Output.Contains($" {Vip}/", StringComparison.Ordinal))
            {
                holders.Add(node);
            }
        }

        return holders;
    }

    internal static async Task<string> EdgeContainerAsync(int node) =>
        (await MultiNodeSwarm.Docker(node, "ps", "-q", "--filter", $"label=com.docker.swarm.service.name={Stack}_edge")).Trimmed;

    private static async Task<bool> ReadyAsync(int node) =>
        (await Shell.RunAsync("curl", ["-s", "-m", "2", "-o", "/dev/null", "-w", "%{http_code}", $"http://{MultiNodeSwarm.AddressOf(node)}:8082/readyz"], check: false))
        .Trimmed == "200";

    private static async Task<bool> AnswersAsync() =>
        (await Shell.RunAsync("curl", ["-s", "-m", "2", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: whoami.localhost", $"http://{Vip}/"], check: false))
        .Trimmed == "200";

    public Task DisposeAsync() => RemoveAsync();

    private static async Task RemoveAsync()
    {
        await MultiNodeSwarm.SetEdgeLabelAsync(2, false);
        foreach (var node in new[] { 1, 2 })
        {
            await MultiNodeSwarm.Docker(node, "rm", "-f", FloatingIpTests.Rogue);
        }

        try
        {
            // After a link cut the restored node can take a minute or two to stop its tasks.
            await ProductionStack.RemoveAsync(TimeSpan.FromSeconds(240), Vrrp, Demo, Stack);
        }
        finally
        {
            await MultiNodeSwarm.Docker(1, "secret", "rm", Secret);
            // keepalived gives the IP up when it stops; one killed on the way out would leave it behind.
            foreach (var node in new[] { 1, 2 })
            {
                await Shell.RunAsync("ip", ["netns", "exec", MultiNodeSwarm.HostnameOf(node), "ip", "addr", "del", $"{Vip}/24", "dev", "eth0"], check: false);
            }
        }
    }
}
