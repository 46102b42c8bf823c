namespace SwarmEdge.BenchTool.Tests;

/// <summary>The real tool outputs and /proc files in Fixtures/ (made by Fixtures/make-fixtures.sh), and the repository's files.</summary>
internal static class Fixture
{
    public static string PathOf(string name) => Path.Join(AppContext.BaseDirectory, "Fixtures", name);

    public static string Text(string name) => File.ReadAllText(PathOf(name));

    /// <summary>A file of the repository (benchmarks/results/latest.md), found from the test binaries upwards.</summary>
    public static string RepositoryFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Join(dir.FullName, "SwarmEdge.sln")))
            {
                return File.ReadAllText(Path.Join(dir.FullName, relative));
            }
        }

        throw new FileNotFoundException($"no SwarmEdge.sln above {AppContext.BaseDirectory}");
    }
}
