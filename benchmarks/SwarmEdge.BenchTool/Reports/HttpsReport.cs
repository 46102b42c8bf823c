using System.Text;

namespace SwarmEdge.BenchTool.Reports;

/// <summary>results/https.md, from one run.sh --https run. Ratios are to HAProxy in the same run.</summary>
internal static class HttpsReport
{
    private const string Reference = "haproxy";

    public static string Markdown(HttpsRun run)
    {
        var s = run.Settings;
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');

        Line("# HTTPS: every proxy terminating TLS with the same certificate");
        Line();
        Line(ReportText.RunLine("--https", run.MadeAt, run.Machine, s));
        Line($"wrk over TLS (OpenSSL, HTTP/1.1, no SNI: each proxy's default certificate, ECDSA P-256), {s.Connections} connections, {s.Duration} s after a {s.Warmup} s warm-up;");
        Line("keep-alive: one handshake per connection; handshakes: `Connection: close` on every request, so requests/s are handshakes/s.");
        Line("CPU: the proxy's process tree, user + system, per request. Ratios are to HAProxy in this run.");
        Line();
        Line("| proxy | keep-alive req/s | p99 ms | CPU us/req | handshakes/s | p99 ms | CPU us/req | keep-alive vs HAProxy | handshakes vs HAProxy |");
        Line("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        var reference = run.Proxies.FirstOrDefault(p => p.Name == Reference);
        foreach (var p in run.Proxies)
        {
            Line($"| {p.Label} | {Cells.Rps(p.KeepAlive.Wrk)} | {Cells.Ms(p.KeepAlive.Wrk.P99Ms)} | {Cells.CpuTotal(p.KeepAlive)} "
                + $"| {Cells.Rps(p.Handshake.Wrk)} | {Cells.Ms(p.Handshake.Wrk.P99Ms)} | {Cells.CpuTotal(p.Handshake)} "
                + $"| {Cells.Ratio(p.KeepAlive.Wrk.RequestsPerSecond, reference?.KeepAlive.Wrk.RequestsPerSecond ?? 0)} "
                + $"| {Cells.Ratio(p.Handshake.Wrk.RequestsPerSecond, reference?.Handshake.Wrk.RequestsPerSecond ?? 0)} |");
        }

        Line();
        Line($"Errors (non-2xx and socket errors): {string.Concat(run.Proxies.Select(p => $"{p.Name} {p.KeepAlive.Wrk.Errors}/{p.Handshake.Wrk.Errors}; "))}");
        md.Append(ReportText.Commands(s));
        return md.ToString();
    }
}
