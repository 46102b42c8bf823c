using SwarmEdge.BenchTool.Parsing;

namespace SwarmEdge.BenchTool.Reports;

/// <summary>Normal clients (hey) before and during one slowhttptest attack, and how slowhttptest's connections ended.</summary>
internal sealed record SlowAttack(HeyOutput? Before, HeyOutput? During, SlowHttpTestOutput Tool);
