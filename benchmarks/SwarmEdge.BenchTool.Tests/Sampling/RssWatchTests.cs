using System.Diagnostics;
using SwarmEdge.BenchTool.Sampling;

namespace SwarmEdge.BenchTool.Tests.Sampling;

[Collection(LiveProcesses.Name)]
public sealed class RssWatchTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bench-tool-watch-").FullName;

    [Fact]
    public async Task The_watcher_logs_each_sample_and_keeps_the_highest_in_the_peak_file()
    {
        var peakFile = Path.Join(_dir, "peak");
        var logFile = Path.Join(_dir, "rss.log");
        using var stop = new CancellationTokenSource();

        var watch = new RssWatch(ProcessTreeSampler.Host(), TimeProvider.System)
            .RunAsync(Environment.ProcessId, peakFile, logFile, TimeSpan.FromMilliseconds(50), stop.Token);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Samples(logFile) < 3 && DateTime.UtcNow < deadline && !watch.IsCompleted)
        {
            await Task.Delay(20);
        }

        await stop.CancelAsync();
        await watch.WaitAsync(TimeSpan.FromSeconds(20));

        var logged = File.ReadAllLines(logFile).Select(l => long.Parse(l.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var peak = PeakMemory.Parse(File.ReadAllText(peakFile));
        Assert.True(logged.Count >= 3, $"{logged.Count} samples");
        Assert.Equal(new PeakMemory(logged.Max(), SampleSource.Proc), peak);
    }

    [Fact]
    public async Task The_watcher_ends_by_itself_when_the_process_has_ended()
    {
        using var child = Process.Start(new ProcessStartInfo("sleep", ["0.3"]))!;
        var peakFile = Path.Join(_dir, "peak");

        await new RssWatch(ProcessTreeSampler.Host(), TimeProvider.System)
            .RunAsync(child.Id, peakFile, Path.Join(_dir, "rss.log"), TimeSpan.FromMilliseconds(50), CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(20));
        await child.WaitForExitAsync();

        Assert.True(PeakMemory.Parse(File.ReadAllText(peakFile))!.Kib > 0);
    }

    private static int Samples(string logFile)
    {
        try
        {
            using var reader = new StreamReader(new FileStream(logFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
            return reader.ReadToEnd().Count(c => c == '\n');
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
