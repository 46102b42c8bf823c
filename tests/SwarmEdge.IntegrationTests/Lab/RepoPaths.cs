namespace SwarmEdge.IntegrationTests.Lab;

internal static class RepoPaths
{
    public static readonly string Root = FindRoot();

    public static string LabScript(string name) => Path.Combine(Root, "tests", "lab", name);

    /// <summary>The SwarmEdge build that sits next to this test build (same configuration).</summary>
    public static string SwarmEdgeDll
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name; // bin/<Configuration>/net10.0/
            var dll = Path.Combine(Root, "src", "SwarmEdge", "bin", configuration, "net10.0", "SwarmEdge.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException($"build SwarmEdge first: {dll} is missing");
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SwarmEdge.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("SwarmEdge.sln not found above " + AppContext.BaseDirectory);
    }
}
