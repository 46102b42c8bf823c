using System.Text;
using SwarmEdge.BenchTool.Sampling;

namespace SwarmEdge.BenchTool.Reports;

/// <summary>
/// results/latest.md, latest.csv and the data file of the chart (benchmarks/chart.gp), from one main run. The
/// README quotes these files: their columns and wording stay as they are.
/// </summary>
internal static class LatestReport
{
    private const string ProxyExited = " (proxy exited)";

    /// <summary>Scenario names as run.sh records a proxy's exit, in the order of the CSV's last column.</summary>
    private static readonly string[] Scenarios = ["throughput", "update", "kill", "scaleup", "nodeloss"];

    public static string Markdown(LatestRun run)
    {
        var s = run.Settings;
        var cores = s.Cores;
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');

        Line("# SwarmEdge vs nginx, HAProxy, Caddy");
        Line();
        Line($"Made by `benchmarks/run.sh{s.Arguments}` on {ReportText.Date(run.MadeAt)}.");
        Line($"Machine: {cores} cores ({run.Machine.CpuModel}), {CFormat.Fixed(run.Machine.MemTotalKib / 1048576.0, 0)} GiB RAM, kernel {run.Machine.Kernel}, Docker {s.DockerVersion}, one-node swarm.");
        Line($"Backend: {s.Replicas} dnsrr tasks of swarmedge-lab/whoami (nginx, 1 worker). Load generator, proxy and tasks share the same {cores} cores.");
        Line();
        Line("| proxy | req/s | p50 ms | p99 ms | ratio to direct | CPU µs/request (user + system) | peak RSS MiB | failed during update | failed on SIGKILL | scale-up s | node loss failed |");
        Line("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var p in run.Proxies)
        {
            var wrk = p.Throughput.Wrk;
            Line($"| {p.Label} | {Cells.RpsWhole(wrk)}{Exited(p, "throughput")} | {Cells.Ms(wrk.P50Ms)} | {Cells.Ms(wrk.P99Ms)} | {Cells.RatioToDirect(p)} "
                + $"| {Cells.CpuUser(p.Throughput)} + {Cells.CpuSystem(p.Throughput)} | {Cells.Mib(p.PeakMemory)} "
                + $"| {Cells.FailedOf(p.Update)}{Exited(p, "update")} | {Cells.FailedOf(p.Kill)}{Exited(p, "kill")} "
                + $"| {p.ScaleUpSeconds}{Exited(p, "scaleup")} | {NodeLoss(p)}{Exited(p, "nodeloss")} |");
        }

        Line();
        Line($"- **req/s, p50, p99**: wrk through the proxy, {s.Connections} connections, {cores} threads, {s.Duration} s after a {s.Warmup} s warm-up.");
        Line("  **ratio to direct**: req/s through the proxy divided by wrk straight to one task, same settings, measured just before.");
        Line($"  Non-2xx and socket errors during the throughput run: {string.Concat(run.Proxies.Select(p => $"{p.Name} {p.Throughput.Wrk.Errors}; "))}");
        Line("- **CPU µs/request**: CPU time of the proxy's process tree during the measured throughput run (/proc/PID/stat, user and");
        Line("  system), divided by the requests wrk counted. System time is mostly the kernel's TCP/IP work for the proxy's four socket");
        Line($"  operations per request (read from the client, write to the task, read its answer, write it back). On these {cores} shared cores, the proxy with the lower total leaves more CPU to wrk and the tasks.");
        Line("- **YARP alone (static, reference)**: benchmarks/YarpReference, YARP 2.3 with one route and the task IPs resolved once");
        Line("  at start (as nginx static), Kestrel, logging and GC set as SwarmEdge's; what SwarmEdge's own work costs on top of YARP.");
        Line("- **peak RSS**: the proxy's process tree (sum of RSS over its processes), sampled every 0.5 s during the throughput run.");
        Line($"- **failed during update**, **failed on SIGKILL**, **node loss failed**: all three measured alike, with hey: {s.FailConnections} workers");
        Line($"  (each sends its next request when its last one has ended; keep-alive), per-request timeout {s.FailTimeout} s (`-t`).");
        Line($"  Failed = every request not answered with a 2xx within {s.FailTimeout} s: hey's error distribution (timeouts, refused or");
        Line("  reset connections, ...) plus non-2xx answers. \"x of y\" = failed of all requests hey ended (answered, failed or timed out).");
        Line("  When the run ends (`-z` or SIGINT), the requests in flight still finish or time out, and count.");
        Line($"  Not wrk: a request that hangs on a dead task fails after {s.FailTimeout} s and its worker sends the next; wrk's closed");
        Line("  loop never counts it (the connection just stops sending), so a proxy that hangs would look good.");
        Line("  hey's client (Go net/http) resends a GET by itself when the keep-alive connection it reused is closed before any byte");
        Line($"  of the answer (as browsers do); such a request counts as failed only if the resend fails too or the {s.FailTimeout} s run out.");
        Line("- **failed during update**: hey from 1 s before `docker service update --force --detach=false` until " + s.AfterUpdate + " s after");
        Line("  it returned (started with `-z 600s`, stopped with SIGINT).");
        Line($"- **failed on SIGKILL**: hey {s.KillDuration} s (`-z`), `docker kill --signal KILL` of one task {s.KillAt} s in.");
        Line($"- **scale-up s**: from `docker service scale {s.Replicas}→{s.Scaled}` until each new task has answered through the proxy");
        Line($"  (a curl loop, one request at a time); \">{s.ScaleCap}\" = not all within {s.ScaleCap} s.");
        if (s.NodeLossRan)
        {
            Line($"- **node loss failed**: hey {s.NodeLossDuration} s (`-z`) on the 3-node lab of tests/lab/multinode.sh (service: {s.Replicas} dnsrr replicas,");
            Line($"  at most 2 per node, kept off n1 where the edge container and the proxy run); {s.KillAt} s in, the link of the node");
            Line("  holding 2 tasks is cut (`ip link set selab-vN down`: its task IPs become black holes) until hey ends.");
        }
        else
        {
            Line($"- **node loss failed**: needs the 3-node lab of tests/lab/multinode.sh, healthy and idle; skipped ({s.NodeLossWhy}).");
        }

        Line($"- Every scenario starts from {s.Replicas} healthy replicas with a freshly started proxy that serves all of them.");
        Line("  \"(proxy exited)\": the proxy process died during that scenario (its log: artifacts/bench/proxies/<proxy>/proxy-<scenario>.log);");
        Line("  hey then counts every refused connection as a failed request (thousands per second); in the throughput run, wrk counts");
        Line("  every failed reconnect to the closed port as a socket error, so its errors can exceed its requests.");
        foreach (var note in HeyNotes(run))
        {
            Line($"- hey: {note}.");
        }

        foreach (var note in CgroupNotes(run))
        {
            Line(note);
        }

        Line();
        Line("Proxy configurations: `benchmarks/*.tmpl` (rendered into `artifacts/bench/proxies/<proxy>/`); SwarmEdge:");
        Line("`SwarmEdge --SwarmEdge:Networks:0=NET --SwarmEdge:Dns:Server=127.0.0.11 --SwarmEdge:Proxy:Port=PORT --SwarmEdge:Admin:Port=PORT2`.");
        Line($"Every proxy runs with {cores} worker processes/threads, in the network namespace of a container on the overlay.");
        Line();
        Line("## Load commands (run with `nsenter -t <edge pid> -n`)");
        Line();
        Line("```");
        if (s.LoadCommands.Count == 0)
        {
            Line();
        }

        foreach (var command in s.LoadCommands)
        {
            Line(command);
        }

        Line("```");
        Line();
        Line("![throughput and failures](latest.png)");
        return md.ToString();
    }

    public static string Csv(LatestRun run)
    {
        var csv = new StringBuilder();
        csv.Append("proxy,label,requests_per_s,p50_ms,p99_ms,direct_requests_per_s,ratio_to_direct,cpu_user_us_per_request,cpu_system_us_per_request,peak_rss_mib,throughput_errors,update_failed,update_requests,sigkill_failed,sigkill_requests,scaleup_s,node_loss_failed,node_loss_requests,proxy_exited_during\n");
        foreach (var p in run.Proxies)
        {
            var wrk = p.Throughput.Wrk;
            string[] row =
            [
                p.Name, Quoted(p.Label), Cells.Rps(wrk), Cells.Ms(wrk.P50Ms), Cells.Ms(wrk.P99Ms), CFormat.Fixed(p.BaselineRps, 2),
                Cells.RatioToDirect(p), Cells.CpuUser(p.Throughput), Cells.CpuSystem(p.Throughput), Cells.Mib(p.PeakMemory),
                Cells.Integer(wrk.Errors), Cells.Failed(p.Update), Cells.Requests(p.Update), Cells.Failed(p.Kill), Cells.Requests(p.Kill),
                p.ScaleUpSeconds,
                Quoted(p.NodeLossSkipped is { } why ? $"skipped: {why}" : Cells.Failed(p.NodeLoss)),
                p.NodeLossSkipped is null ? Cells.Requests(p.NodeLoss) : "",
                string.Join(' ', Scenarios.Where(p.ExitedDuring.Contains)),
            ];
            csv.AppendJoin(',', row).Append('\n');
        }

        return csv.ToString();
    }

    /// <summary>chart.gp's data file: "label" requests_per_s update_failed sigkill_failed direct_requests_per_s node_loss_failed.</summary>
    public static string PlotData(LatestRun run)
    {
        var dat = new StringBuilder("# label rps update_failed sigkill_failed direct_rps node_loss_failed\n");
        foreach (var p in run.Proxies)
        {
            var nodeLoss = p.NodeLossSkipped is null ? Cells.Failed(p.NodeLoss) : "0";
            dat.Append($"\"{p.Label}\" {Cells.Rps(p.Throughput.Wrk)} {Cells.Failed(p.Update)} {Cells.Failed(p.Kill)} {CFormat.Fixed(p.BaselineRps, 2)} {nodeLoss}\n");
        }

        return dat.ToString();
    }

    /// <summary>chart.gp's other variables (gnuplot -e): whether to plot node loss, and the chart's subtitle.</summary>
    public static string GnuplotVariables(LatestRun run)
    {
        var nodeLoss = run.Proxies.Any(p => p.NodeLossSkipped is null) ? 1 : 0;
        var subtitle = $"{run.Settings.Cores} cores, {run.MadeAt.UtcDateTime:yyyy-MM-dd}{(run.Settings.Quick ? ", --quick" : "")}";
        return $"nodeloss={nodeLoss}; subtitle='{subtitle}'";
    }

    /// <summary>Answers hey gave no status code for (past its 1,000,000 cap) in the failure scenarios.</summary>
    public static IEnumerable<string> HeyNotes(LatestRun run)
    {
        foreach (var p in run.Proxies)
        {
            foreach (var (key, hey) in new[] { ("upd", p.Update), ("kill", p.Kill), ("nodeloss", p.NodeLoss) })
            {
                if (hey is { Unclassified: > 0 } h)
                {
                    yield return $"{p.Name} {key}: {h.Unclassified} of {h.Requests} answers without a status code from hey (its distribution stops at 1,000,000), counted as not failed";
                }
            }
        }
    }

    /// <summary>The notes above describe /proc sampling; a proxy measured through its own cgroup says so here.</summary>
    private static IEnumerable<string> CgroupNotes(LatestRun run)
    {
        var cpu = run.Proxies.Where(p => p.Throughput.CpuBefore?.Source == SampleSource.Cgroup && p.Throughput.CpuUsPerRequest is not null)
            .Select(p => p.Name).ToList();
        var memory = run.Proxies.Where(p => p.PeakMemory?.Source == SampleSource.Cgroup).Select(p => p.Name).ToList();
        if (cpu.Count > 0)
        {
            yield return $"- CPU µs/request of {string.Join(", ", cpu)}: from cpu.stat (user_usec, system_usec) of the proxy's own cgroup (v2), which held exactly its process tree.";
        }

        if (memory.Count > 0)
        {
            yield return $"- peak RSS of {string.Join(", ", memory)}: memory.peak of the proxy's own cgroup (v2), which held exactly its process tree: its highest memory use since the proxy started, page cache included.";
        }
    }

    private static string Exited(ProxyResult p, string scenario) => p.ExitedDuring.Contains(scenario) ? ProxyExited : "";

    private static string NodeLoss(ProxyResult p) => p.NodeLossSkipped is { } why ? $"skipped: {why}" : Cells.FailedOf(p.NodeLoss);

    /// <summary>A CSV field in double quotes (a quote inside doubled).</summary>
    private static string Quoted(string value) => $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}
