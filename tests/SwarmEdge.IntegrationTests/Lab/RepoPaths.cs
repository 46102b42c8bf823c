namespace SwarmEdge.IntegrationTests.Lab;

internal static class RepoPaths
{
    public static readonly string Root = FindRoot();

    public static string LabScript(string name) => Path.Combine(Root, "tests", "lab", name);

    /// <summary>Where SwarmEdge is published for the tests and the lab's image: the Native AOT binary that ships.</summary>
    public static string PublishDirectory => Path.Combine(Root, "artifacts", "publish-linux-x64");

    /// <summary>
    /// The published SwarmEdge binary (tests/run-all.sh publishes it after the build), refused when it is older
    /// than the last build of the source, so that a test never runs yesterday's code.
    /// </summary>
    public static string SwarmEdgeBinary
    {
        get
        {
            var binary = Path.Combine(PublishDirectory, "SwarmEdge");
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name; // bin/<Configuration>/net10.0/
            var build = Path.Combine(Root, "src", "SwarmEdge", "bin", configuration, "net10.0", "SwarmEdge.dll");
            return File.Exists(binary) && File.GetLastWriteTimeUtc(binary) >= File.GetLastWriteTimeUtc(build)
                ? binary
                : throw new FileNotFoundException($"publish SwarmEdge first ({binary} is missing or older than {build}): {PublishCommand}");
        }
    }

    public const string PublishCommand = "dotnet publish src/SwarmEdge -c Release -r linux-x64 -o artifacts/publish-linux-x64";

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
