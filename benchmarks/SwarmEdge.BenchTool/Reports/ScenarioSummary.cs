namespace SwarmEdge.BenchTool.Reports;

/// <summary>
/// The line run.sh logs after a scenario (after "PROXY: ..."), from what the results file holds so far, and the
/// warnings that go with it: a hey run without a summary, answers hey gave no status code for.
/// </summary>
internal sealed class ScenarioSummary(ResultsReader reader)
{
    public static readonly string[] Scenarios =
        ["baseline", "throughput", "update", "kill", "nodeloss", "https-keepalive", "https-handshake", "slowH", "slowB"];

    /// <summary>Null for an unknown scenario.</summary>
    public string? Text(string proxy, string scenario)
    {
        switch (scenario)
        {
            case "baseline":
                return $"{Cells.Rps(reader.Wrk(proxy, "baseline"))} req/s";
            case "throughput":
            {
                var p = reader.Proxy(proxy);
                var wrk = p.Throughput.Wrk;
                return $"{Cells.Rps(wrk)} req/s, p50 {Cells.Ms(wrk.P50Ms)} ms, p99 {Cells.Ms(wrk.P99Ms)} ms, non-2xx+errors {wrk.Errors}, "
                    + $"ratio {Cells.RatioToDirect(p)}, peak RSS {Cells.Mib(p.PeakMemory)} MiB, "
                    + $"CPU {Cells.CpuUser(p.Throughput)} us user + {Cells.CpuSystem(p.Throughput)} us system per request";
            }

            case "update" or "kill" or "nodeloss":
                return $"{Cells.FailedOf(reader.Hey(proxy, scenario))} requests failed";
            case "https-keepalive" or "https-handshake":
            {
                var load = reader.Load(proxy, scenario);
                return $"{Cells.Rps(load.Wrk)} req/s, p99 {Cells.Ms(load.Wrk.P99Ms)} ms, errors {load.Wrk.Errors}, CPU {Cells.CpuTotal(load)} us per request";
            }

            case "slowH" or "slowB":
            {
                var a = reader.Slow(proxy, scenario);
                return $"normal clients before {Cells.FailedOf(a.Before)} failed, p99 {Cells.HeyP99(a.Before)} ms; "
                    + $"during {Cells.FailedOf(a.During)} failed, p99 {Cells.HeyP99(a.During)} ms; slowhttptest: {a.Tool.Summary}";
            }

            default:
                return null;
        }
    }

    /// <summary>Warnings about the scenario's hey runs, each a line of its own.</summary>
    public IEnumerable<string> Warnings(string proxy, string scenario)
    {
        string[] runs = scenario switch
        {
            "update" or "kill" or "nodeloss" => [scenario],
            "slowH" or "slowB" => [$"{scenario}-before", $"{scenario}-during"],
            _ => [],
        };
        foreach (var run in runs)
        {
            var file = reader.HeyFile(proxy, run);
            if (file == "")
            {
                continue;
            }

            var hey = reader.Hey(proxy, run);
            if (hey is null)
            {
                yield return $"{proxy}: no hey summary in {file}; its last lines:";
                var lines = File.Exists(file) ? File.ReadAllText(file).TrimEnd('\n').Split('\n') : [];
                foreach (var line in lines.TakeLast(5))
                {
                    yield return line.Length > 400 ? line[..400] : line;
                }
            }
            else if (hey.Unclassified > 0)
            {
                yield return $"{proxy}: hey gave no status code for {hey.Unclassified} of {hey.Requests} answers (its status code distribution stops at 1,000,000); counted as not failed";
            }
        }
    }
}
