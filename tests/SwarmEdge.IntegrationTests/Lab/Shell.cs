using System.Diagnostics;
using System.Text;

namespace SwarmEdge.IntegrationTests.Lab;

internal sealed record ShellResult(int ExitCode, string Output, string Error)
{
    public string Trimmed => Output.Trim();
}

/// <summary>Runs the real tools (docker, nsenter, the lab scripts) and fails loudly with their output.</summary>
internal static class Shell
{
    public static async Task<ShellResult> RunAsync(string file, IEnumerable<string> args, TimeSpan? timeout = null, bool check = true)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Describe(file, info.ArgumentList)} did not finish within {timeout}");
        }

        var result = new ShellResult(process.ExitCode, await stdout, await stderr);
        if (check && result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Describe(file, info.ArgumentList)} exited with {result.ExitCode}:\n{result.Error}\n{result.Output}");
        }

        return result;
    }

    public static Task<ShellResult> DockerAsync(params string[] args) => RunAsync("docker", args);

    private static string Describe(string file, IEnumerable<string> args)
    {
        var text = new StringBuilder(file);
        foreach (var arg in args)
        {
            text.Append(' ').Append(arg.Contains(' ') ? $"'{arg}'" : arg);
        }

        return text.ToString();
    }
}
