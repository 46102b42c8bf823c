using System.CommandLine;
using YamlDotNet.Core;

namespace SwarmEdge.Commands.Convert;

/// <summary>
/// swarmedge convert: file I/O around <see cref="StackFileConverter"/>. The converted file goes to -o or to
/// stdout; what was done to each service goes to stderr, so stdout can be piped into a file or docker stack deploy.
/// Exit codes: 0 written (whether or not a service changed), 2 usage error, unreadable file or invalid YAML.
/// </summary>
internal static class ConvertCommand
{
    public const int Written = 0;
    public const int Error = 2;

    public static Command Create(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("stack-file") { Description = "compose/stack file to convert ('-' reads stdin)" };
        var outFile = new Option<string?>("--output", "-o") { Description = "write the converted file here instead of stdout" };
        var command = new Command("convert",
            "Rewrite a stack file for SwarmEdge: services that publish ports through the routing mesh get dnsrr, "
            + "SwarmEdge labels, and lose those ports. Comments and key order are kept.")
        {
            file,
            outFile,
        };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(file)!, parse.GetValue(outFile), Console.In, output, error, ct));
        return command;
    }

    public static async Task<int> RunAsync(string path, string? outPath, TextReader stdin, TextWriter output, TextWriter error, CancellationToken ct)
    {
        string text;
        try
        {
            text = path == "-" ? await stdin.ReadToEndAsync(ct) : await File.ReadAllTextAsync(path, ct);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"error: cannot read {path}: {ex.Message}");
            return Error;
        }

        ConversionResult result;
        try
        {
            result = StackFileConverter.Convert(text);
        }
        catch (YamlException ex)
        {
            await error.WriteLineAsync($"error: {path} is not valid YAML (line {ex.Start.Line}, column {ex.Start.Column}): {ex.Message}");
            return Error;
        }

        if (outPath is null)
        {
            await output.WriteAsync(result.Output);
        }
        else
        {
            try
            {
                await File.WriteAllTextAsync(outPath, result.Output, ct);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"error: cannot write {outPath}: {ex.Message}");
                return Error;
            }
        }

        foreach (var service in result.Services)
        {
            await error.WriteLineAsync($"{(service.Converted ? "converted" : "unchanged")} {service.Service}: {service.Detail}");
        }

        if (!result.Services.Any(s => s.Converted))
        {
            await error.WriteLineAsync("no service publishes a port through the routing mesh: nothing to convert");
        }

        if (!result.TcpEntrypoints.IsEmpty)
        {
            await error.WriteLineAsync($"edge: the TCP routes need SwarmEdge:Tcp:Entrypoints {string.Join(", ", result.TcpEntrypoints)}, " +
                                       "published by the edge (stack.yml: ports in host mode)");
        }

        foreach (var warning in result.Warnings)
        {
            await error.WriteLineAsync($"warning: {warning}");
        }

        return Written;
    }
}
