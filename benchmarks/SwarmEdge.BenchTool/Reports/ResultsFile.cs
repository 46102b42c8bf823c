namespace SwarmEdge.BenchTool.Reports;

/// <summary>
/// The facts run.sh gathers during a run, one "key=value" line each, appended as they are measured: run settings
/// (run.*) and per proxy the paths of raw outputs and the samples taken (PROXY.SCENARIO.FIELD). A key given again
/// replaces its value; Values keeps every value of a repeated key (run.load_command), in order.
/// </summary>
internal sealed class ResultsFile
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    public static ResultsFile Parse(string text)
    {
        var file = new ResultsFile();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            var key = line[..equals];
            if (!file._values.TryGetValue(key, out var values))
            {
                file._values[key] = values = [];
            }

            values.Add(line[(equals + 1)..]);
        }

        return file;
    }

    public static ResultsFile Read(string path) => Parse(File.Exists(path) ? File.ReadAllText(path) : "");

    /// <summary>The last value of the key; "" when it was never given (as an unset shell variable).</summary>
    public string this[string key] => _values.TryGetValue(key, out var values) ? values[^1] : "";

    public bool Has(string key) => _values.ContainsKey(key);

    public IReadOnlyList<string> Values(string key) => _values.TryGetValue(key, out var values) ? values : [];

    /// <summary>The words of a space-separated value (run.proxies).</summary>
    public IReadOnlyList<string> Words(string key) => this[key].Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
