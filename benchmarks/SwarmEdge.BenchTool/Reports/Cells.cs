using System.Globalization;
using SwarmEdge.BenchTool.Parsing;
using SwarmEdge.BenchTool.Sampling;

namespace SwarmEdge.BenchTool.Reports;

/// <summary>
/// Measurements as the reports and run.sh's log print them: requests/s to 2 decimals, latencies in ms to 3, ratios
/// to 2, CPU µs and MiB to 1; "n/a" where there is nothing to show.
/// </summary>
internal static class Cells
{
    public const string None = "n/a";

    public static string Rps(WrkOutput wrk) => CFormat.Fixed(wrk.RequestsPerSecond, 2);

    public static string RpsWhole(WrkOutput wrk) => CFormat.Fixed(wrk.RequestsPerSecond, 0);

    public static string Ms(double milliseconds) => CFormat.Fixed(milliseconds, 3);

    public static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Requests/s through the proxy over requests/s straight to one task; 0.00 without a baseline.</summary>
    public static string RatioToDirect(ProxyResult p) =>
        CFormat.Fixed(p.BaselineRps > 0 ? p.Throughput.Wrk.RequestsPerSecond / p.BaselineRps : 0, 2);

    /// <summary>a / b to 2 decimals; n/a when b is not positive (the reference proxy was not in the run).</summary>
    public static string Ratio(double a, double b) => b > 0 ? CFormat.Fixed(a / b, 2) : None;

    public static string CpuUser(LoadMeasurement m) => m.CpuUsPerRequest is { } cpu ? CFormat.Fixed(cpu.User, 1) : None;

    public static string CpuSystem(LoadMeasurement m) => m.CpuUsPerRequest is { } cpu ? CFormat.Fixed(cpu.System, 1) : None;

    public static string CpuTotal(LoadMeasurement m) => m.CpuUsPerRequest is { } cpu ? CFormat.Fixed(cpu.User + cpu.System, 1) : None;

    public static string Mib(PeakMemory? peak) => peak is { } p ? CFormat.Fixed(p.Kib / 1024.0, 1) : None;

    public static string Failed(HeyOutput? hey) => hey is { } h ? Integer(h.Failed) : None;

    public static string Requests(HeyOutput? hey) => hey is { } h ? Integer(h.Requests) : None;

    /// <summary>"failed of requests".</summary>
    public static string FailedOf(HeyOutput? hey) => $"{Failed(hey)} of {Requests(hey)}";

    /// <summary>hey's 99th percentile latency in ms, to 1 decimal.</summary>
    public static string HeyP99(HeyOutput? hey) => hey?.P99Seconds is { } s ? CFormat.Fixed(s * 1000, 1) : None;
}
