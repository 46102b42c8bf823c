namespace SwarmEdge.BenchTool.Sampling;

/// <summary>
/// Reads /proc and /sys/fs/cgroup. Root is "/" on the host; tests point it at a directory laid out the same way.
/// A process can end between listing and reading: its files then read as null.
/// </summary>
internal sealed class ProcFs(string root)
{
    public static ProcFs Host { get; } = new("/");

    public string PathOf(string absolute) => root == "/" ? absolute : Path.Join(root, absolute);

    public string? Read(string absolute)
    {
        try
        {
            return File.ReadAllText(PathOf(absolute));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The directories right below an absolute path, as absolute paths; none when it does not exist.</summary>
    public IReadOnlyList<string> Directories(string absolute)
    {
        try
        {
            return Directory.EnumerateDirectories(PathOf(absolute))
                .Select(d => absolute.TrimEnd('/') + "/" + Path.GetFileName(d))
                .ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>Every process (not thread) /proc lists.</summary>
    public IReadOnlyList<int> ProcessIds() =>
        Directories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0)
            .ToList();
}
