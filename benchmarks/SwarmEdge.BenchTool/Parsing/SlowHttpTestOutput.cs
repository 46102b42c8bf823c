using System.Text.RegularExpressions;

namespace SwarmEdge.BenchTool.Parsing;

/// <summary>
/// How slowhttptest's connections ended, from its last status block: all closed by the server (and in which second
/// the test ended), or how many were still open. slowhttptest colours its output with ANSI escape sequences.
/// </summary>
internal sealed partial record SlowHttpTestOutput(string Connected, string Closed, string ServiceAvailable, string EndedOn, bool NoOpenConnectionsLeft)
{
    public static SlowHttpTestOutput Parse(string text)
    {
        string connected = "", closed = "", available = "", ended = "";
        var gone = false;
        foreach (var raw in text.Split('\n'))
        {
            var line = Escape().Replace(raw, "");
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (line.StartsWith("connected:", StringComparison.Ordinal))
            {
                connected = Field(fields, 1);
            }
            else if (line.StartsWith("closed:", StringComparison.Ordinal))
            {
                closed = Field(fields, 1);
            }
            else if (line.StartsWith("service available:", StringComparison.Ordinal))
            {
                available = Field(fields, 2);
            }
            else if (line.StartsWith("Test ended on", StringComparison.Ordinal))
            {
                ended = Field(fields, 3);
            }

            if (line.Contains("No open connections left", StringComparison.Ordinal))
            {
                gone = true;
            }
        }

        return new SlowHttpTestOutput(connected, closed, available, ended, gone);
    }

    /// <summary>The results table's last column.</summary>
    public string Summary => NoOpenConnectionsLeft
        ? $"the proxy had closed every slow connection by the {EndedOn} second"
        : $"at the end: {Connected} open, {Closed} closed, service available {ServiceAvailable}";

    private static string Field(string[] fields, int index) => index < fields.Length ? fields[index] : "";

    [GeneratedRegex(@"\x1b\[[0-9;]*[a-zA-Z]")]
    private static partial Regex Escape();
}
