using System.Globalization;

namespace SwarmEdge.BenchTool.Sampling;

/// <summary>
/// Samples a process tree's memory at a fixed interval until the process ends or the watcher is stopped: one
/// "unix_seconds kib" line per sample in a log, and the highest value so far in a peak file ("kib source"),
/// rewritten by rename whenever it grows, so that the file is whole whenever the watcher is killed.
/// </summary>
internal sealed class RssWatch(ProcessTreeSampler sampler, TimeProvider time)
{
    public async Task RunAsync(int pid, string peakFile, string logFile, TimeSpan interval, CancellationToken ct)
    {
        PeakMemory? peak = null;
        await using var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        while (!ct.IsCancellationRequested && sampler.Memory(pid) is { } sample)
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
            await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{now:F3} {sample.CurrentKib}"));
            var highest = sample.PeakKib ?? sample.CurrentKib;
            if (peak is { } previous && previous.Source == sample.Source)
            {
                highest = Math.Max(highest, previous.Kib);
            }

            if (peak is null || highest != peak.Kib || sample.Source != peak.Source)
            {
                peak = new PeakMemory(highest, sample.Source);
                var temporary = peakFile + ".new";
                await File.WriteAllTextAsync(temporary, peak.ToLine() + "\n", CancellationToken.None);
                File.Move(temporary, peakFile, overwrite: true);
            }

            try
            {
                await Task.Delay(interval, time, ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}
