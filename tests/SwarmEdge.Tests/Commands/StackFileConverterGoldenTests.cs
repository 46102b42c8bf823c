using SwarmEdge.Commands.Convert;

namespace SwarmEdge.Tests.Commands;

/// <summary>
/// Realistic stack files under Golden/: NAME.input.yml and the converted NAME.expected.yml, each expected file
/// checked line by line against the rules in the README ("Audit and convert").
/// </summary>
public class StackFileConverterGoldenTests
{
    private static readonly string Golden = FindGolden();

    public static TheoryData<string> Files() => ["shop-stack", "mixed-modes", "edge-cases"];

    [Theory]
    [MemberData(nameof(Files))]
    public void Converts_to_the_expected_file(string name)
    {
        var result = StackFileConverter.Convert(Read($"{name}.input.yml"));

        Assert.Equal(Read($"{name}.expected.yml"), result.Output);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void A_converted_file_is_a_fixed_point(string name)
    {
        var expected = Read($"{name}.expected.yml");

        var again = StackFileConverter.Convert(expected);

        Assert.Equal(expected, again.Output);
        Assert.DoesNotContain(again.Services, s => s.Converted);
    }

    [Fact]
    public void The_shop_stack_report_names_what_was_done_and_what_was_not()
    {
        var result = StackFileConverter.Convert(Read("shop-stack.input.yml"));

        Assert.Equal(
            [
                ("web", true, "endpoint_mode dnsrr; 80:8080/tcp -> swarmedge.http.port=8080 swarmedge.http.host=web.example.com; " +
                              "443:8443/tcp -> swarmedge.tcp.port=8443 swarmedge.tcp.entrypoint=443 (edge entrypoint 443 in SwarmEdge:Tcp:Entrypoints)"),
                ("api", true, "endpoint_mode dnsrr; 5000:5000/tcp -> swarmedge.http.port=5000 swarmedge.http.host=api.example.com"),
                ("db", true, "endpoint_mode dnsrr; 5432:5432/tcp -> swarmedge.tcp.port=5432 swarmedge.tcp.entrypoint=5432 (edge entrypoint 5432 in SwarmEdge:Tcp:Entrypoints)"),
            ],
            result.Services.Select(s => (s.Service, s.Converted, s.Detail)));
        Assert.Equal(
            [
                "web: TCP entrypoint 443 must be in SwarmEdge:Tcp:Entrypoints and published by the edge",
                "db: TCP entrypoint 5432 must be in SwarmEdge:Tcp:Entrypoints and published by the edge",
            ],
            result.Warnings.ToArray());
        Assert.Equal(["443", "5432"], result.TcpEntrypoints.ToArray());
    }

    [Fact]
    public void The_edge_cases_report_says_why_services_were_left_alone()
    {
        var result = StackFileConverter.Convert(Read("edge-cases.input.yml"));

        Assert.Equal(
            [
                ("app", true),
                ("legacy", false),
                ("infra", false),
                ("media", true),
            ],
            result.Services.Select(s => (s.Service, s.Converted)));
        Assert.Contains("swarmedge.enable is false", result.Services[1].Detail);
        Assert.Contains("only ports SwarmEdge cannot route (53:53/udp, 514:514/udp", result.Services[2].Detail);
        Assert.Contains(result.Warnings, w => w.StartsWith("media: 10000-10010:10000-10010/udp not routable by SwarmEdge", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Warnings, w => w.Contains("not kept")); // comments inside flow collections stay
        Assert.Contains(result.Warnings, w => w.StartsWith("version 3.1 raised to 3.2"));
    }

    private static string Read(string file) => File.ReadAllText(Path.Combine(Golden, file));

    private static string FindGolden()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var golden = Path.Combine(dir.FullName, "tests", "SwarmEdge.Tests", "Commands", "Golden");
            if (Directory.Exists(golden))
            {
                return golden;
            }
        }

        throw new DirectoryNotFoundException("tests/SwarmEdge.Tests/Commands/Golden not found above " + AppContext.BaseDirectory);
    }
}
