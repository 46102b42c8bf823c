using SwarmEdge.Commands;
using SwarmEdge.Commands.Convert;

namespace SwarmEdge.Tests.Commands;

public sealed class CommandLineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("swarmedge-cli-").FullName;

    private static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CommandLine.RunAsync(args, output, error, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData(new[] { "audit" }, true)]
    [InlineData(new[] { "convert", "stack.yml" }, true)]
    [InlineData(new[] { "--help" }, true)]
    [InlineData(new[] { "-h" }, true)]
    [InlineData(new[] { "--SwarmEdge:Proxy:Port=80" }, false)]
    [InlineData(new[] { "--help", "--SwarmEdge:Proxy:Port=80" }, false)]
    [InlineData(new[] { "Audit" }, false)]
    [InlineData(new string[0], false)]
    public void Only_a_known_first_word_is_a_command(string[] args, bool isCommand) =>
        Assert.Equal(isCommand, CommandLine.IsCommand(args));

    [Theory]
    [InlineData("audit", "--bogus")]
    [InlineData("audit", "--format", "xml")]
    [InlineData("convert")]
    [InlineData("convert", "a.yml", "b.yml")]
    public async Task Usage_errors_exit_with_2_not_with_the_exposure_code(params string[] args)
    {
        var (code, _, err) = await RunAsync(args);

        Assert.Equal(2, code);
        Assert.StartsWith("error: ", err);
        Assert.Contains($"swarmedge {args[0]} --help", err);
    }

    [Theory]
    [InlineData("--edge-label", "=true", "--edge-label must be key=value or key")]
    [InlineData("--docker", "ftp://host", "--docker must be a Docker API address")]
    public async Task Bad_option_values_are_refused_before_any_request(string option, string value, string message)
    {
        var (code, _, err) = await RunAsync("audit", option, value);

        Assert.Equal(2, code);
        Assert.Contains(message, err);
    }

    [Fact]
    public async Task Help_without_a_command_names_the_commands()
    {
        var (code, output, _) = await RunAsync("--help");

        Assert.Equal(0, code);
        Assert.Contains("Without a command it runs the proxy", output);
        foreach (var command in new[] { "audit", "convert", "healthcheck", "acme", "status" })
        {
            Assert.Contains(command, output);
        }
    }

    [Fact]
    public async Task Help_exits_with_0()
    {
        var (code, output, _) = await RunAsync("audit", "--help");

        Assert.Equal(0, code);
        Assert.Contains("--edge-label", output);
    }

    [Fact]
    public async Task Convert_writes_the_file_and_reports_on_stderr()
    {
        var input = Path.Combine(_dir, "stack.yml");
        var output = Path.Combine(_dir, "out.yml");
        const string yaml = "services:\n  web:\n    ports: [\"8080:80\"]\n";
        await File.WriteAllTextAsync(input, yaml);

        var (code, stdout, err) = await RunAsync("convert", input, "-o", output);

        Assert.Equal(0, code);
        Assert.Equal("", stdout);
        Assert.Equal(StackFileConverter.Convert(yaml).Output, await File.ReadAllTextAsync(output));
        Assert.StartsWith("converted web: endpoint_mode dnsrr; 8080:80/tcp -> swarmedge.http.port=80", err);
    }

    [Fact]
    public async Task Convert_without_output_writes_to_stdout()
    {
        var input = Path.Combine(_dir, "stack.yml");
        await File.WriteAllTextAsync(input, "services:\n  db:\n    ports: [\"25432:5432\"]\n");

        var (code, stdout, err) = await RunAsync("convert", input);

        Assert.Equal(0, code);
        Assert.StartsWith("services:\n  db:\n    deploy:\n      endpoint_mode: dnsrr\n", stdout);
        Assert.Contains("swarmedge.tcp.entrypoint: \"25432\"", stdout);
        Assert.Contains("converted db:", err);
        Assert.Contains("edge: the TCP routes need SwarmEdge:Tcp:Entrypoints 25432", err);
    }

    [Fact]
    public async Task A_missing_file_and_invalid_yaml_exit_with_2()
    {
        var broken = Path.Combine(_dir, "broken.yml");
        await File.WriteAllTextAsync(broken, "services:\n  web: [unclosed\n");

        var missing = await RunAsync("convert", Path.Combine(_dir, "missing.yml"));
        var invalid = await RunAsync("convert", broken);

        Assert.Equal(2, missing.Code);
        Assert.Contains("cannot read", missing.Err);
        Assert.Equal(2, invalid.Code);
        Assert.Contains("is not valid YAML (line", invalid.Err);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
