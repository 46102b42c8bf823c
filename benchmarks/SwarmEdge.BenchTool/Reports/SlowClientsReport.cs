using System.Text;

namespace SwarmEdge.BenchTool.Reports;

/// <summary>results/slow-clients.md, from one run.sh --slow-clients run.</summary>
internal static class SlowClientsReport
{
    public static string Markdown(SlowRun run)
    {
        var s = run.Settings;
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');

        Line($"# Slow clients: normal clients before and during {s.SlowConnections} slow connections");
        Line();
        Line(ReportText.RunLine("--slow-clients", run.MadeAt, run.Machine, s));
        Line($"Normal clients: hey, {s.FailConnections} workers, a request is failed unless answered with a 2xx within {s.FailTimeout} s;");
        Line($"{s.SlowBefore} s alone, then {s.SlowDuring} s beside slowhttptest ({s.SlowConnections} connections, a header line or body chunk every 5 s).");
        Line("HAProxy: `haproxy.cfg.tmpl` (timeout http-request 10s and option http-buffer-request, its documented defence);");
        Line("SwarmEdge: its defaults (SwarmEdge:Limits: header timeout 10 s, body data rate 240 B/s after 5 s).");
        Line();
        Line("| proxy | attack | before: failed | before: p99 ms | during: failed | during: p99 ms | slowhttptest at the end |");
        Line("| --- | --- | ---: | ---: | ---: | ---: | --- |");
        foreach (var p in run.Proxies)
        {
            foreach (var (attack, a) in new[] { ("slow headers", p.Headers), ("slow bodies", p.Bodies) })
            {
                Line($"| {p.Label} | {attack} | {Cells.FailedOf(a.Before)} | {Cells.HeyP99(a.Before)} | {Cells.FailedOf(a.During)} | {Cells.HeyP99(a.During)} | {a.Tool.Summary} |");
            }
        }

        md.Append(ReportText.Commands(s));
        return md.ToString();
    }
}
