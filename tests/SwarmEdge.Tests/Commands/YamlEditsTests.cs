using SwarmEdge.Commands.Convert;

namespace SwarmEdge.Tests.Commands;

/// <summary>
/// convert edits the text in place: what it does not change comes back byte for byte, also what a YAML emitter
/// would rewrite (comment spacing, comments inside flow collections, folded scalars, line ends, indentation).
/// </summary>
public class YamlEditsTests
{
    [Theory]
    [InlineData("a: 1\nb:\n  c: 2\n")]
    [InlineData("# head\n\n# second paragraph\na: 1\n\n\nb: 2\n# tail\n")]
    [InlineData("a:\n  # about b\n  b: 1 # inline\n  # after b, same indentation\n# about c, at the top\nc: 2\n")]
    [InlineData("list:\n- one # first\n\n- two\n- k: v\n  k2: v2\n")]
    [InlineData("list:\n  - one\n  - k: v\n    k2: v2\n")]
    [InlineData("flow: [a, 'b', \"c\"] # after flow\nmap: {x: 1, y: [2, 3]}\n# after a flow map\nnext: 1\n")]
    [InlineData("text: |\n  line one\n  line two\n\nfolded: >-\n  one folded line\nkept: |+\n  kept\n\nlast: 1\n")]
    [InlineData("base: &base\n  a: 1\nderived:\n  <<: *base\n  b: !!str 2\nempty:\nnull-item:\n-\n- ''\n")]
    [InlineData("a: 1\n---\nb: 2\n...\n")]
    [InlineData("long: " + "x" + "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy zzz zzz zzz\n")]
    [InlineData("#   indented comment text\n#no space\na: 1\n")]
    [InlineData("a: 1    # aligned\nb: [\n  x,  # inside flow\n  y\n]\nc: >\n  folded\n  text\n")]
    [InlineData("a: 1\r\nb:\r\n  - x # crlf\r\n")]
    [InlineData("services:\n  web:\n    image: x\n    ports:\n      - target: 80\n        mode: host\n")]
    [InlineData("no-newline-at-end: 1")]
    public void Untouched_yaml_comes_back_as_it_was(string yaml) =>
        Assert.Equal(yaml, StackFileConverter.Convert(yaml).Output);

    [Fact]
    public void Edits_keep_the_files_line_ends_indentation_and_comments_around_them()
    {
        const string yaml =
            "# head\r\nservices:\r\n    web:\r\n        image: web:1    # aligned\r\n        command: >\r\n            folded\r\n" +
            "            text\r\n        ports: [\r\n            \"8080\",  # the app\r\n            \"53:53/udp\"\r\n        ]\r\n";

        var output = StackFileConverter.Convert(yaml).Output;

        Assert.Equal(
            "# head\r\nservices:\r\n    web:\r\n        image: web:1    # aligned\r\n        command: >\r\n            folded\r\n" +
            "            text\r\n        ports: [\r\n            \"53:53/udp\"\r\n        ]\r\n" +
            "        deploy:\r\n            labels:\r\n" +
            "                # swarmedge convert: was published through the routing mesh as 8080/tcp, 53:53/udp\r\n" +
            "                # swarmedge convert: replace the *.example.com hosts with the names clients use (or add a path rule)\r\n" +
            "                # swarmedge convert: 53:53/udp stay on the routing mesh (SwarmEdge routes single TCP ports only), so the service stays in vip mode\r\n" +
            "                swarmedge.enable: \"true\"\r\n                swarmedge.http.port: \"8080\"\r\n                swarmedge.http.host: \"web.example.com\"\r\n",
            output);
    }

    [Fact]
    public void A_service_with_only_ports_gets_its_deploy_where_the_ports_were()
    {
        var output = StackFileConverter.Convert("services:\n  web:\n    # published\n    ports: [\"80\"]\nnext: 1\n").Output;

        Assert.Equal(
            "services:\n  web:\n    deploy:\n      endpoint_mode: dnsrr\n      labels:\n" +
            "        # swarmedge convert: was published through the routing mesh as 80/tcp\n" +
            "        # swarmedge convert: replace the *.example.com hosts with the names clients use (or add a path rule)\n" +
            "        swarmedge.enable: \"true\"\n        swarmedge.http.port: \"80\"\n        swarmedge.http.host: \"web.example.com\"\nnext: 1\n",
            output);
    }

    [Fact]
    public void Items_leave_a_block_list_with_their_comments_and_the_others_stay_as_they_were()
    {
        const string yaml = "services:\n  web:\n    ports:\n      # metrics, scraped on the node\n      - target: 9100\n        mode: host\n" +
                            "      # the app\n      -\n        target: 80\n        published: 8080\n      - \"53:53/udp\"   # dns\n    deploy:\n      labels: {team: web}\n";

        var output = StackFileConverter.Convert(yaml).Output;

        Assert.StartsWith(
            "services:\n  web:\n    ports:\n      # metrics, scraped on the node\n      - target: 9100\n        mode: host\n" +
            "      - \"53:53/udp\"   # dns\n    deploy:\n      labels: {team: web, swarmedge.enable: \"true\", swarmedge.http.port: \"80\", swarmedge.http.host: \"web.example.com\"}\n",
            output);
        Assert.DoesNotContain("endpoint_mode", output); // a UDP port stays on the routing mesh: vip mode
    }

    [Fact]
    public void Items_leave_a_flow_list_from_its_start_its_middle_and_its_end()
    {
        Assert.Equal("services:\n  a:\n    ports: [\"53:53/udp\"]\n",
            Ports(StackFileConverter.Convert("services:\n  a:\n    ports: [\"80\", \"53:53/udp\"]\n").Output));
        Assert.Equal("services:\n  a:\n    ports: [\"53:53/udp\", \"54:54/udp\"]\n",
            Ports(StackFileConverter.Convert("services:\n  a:\n    ports: [\"53:53/udp\", \"80\", \"54:54/udp\"]\n").Output));
        Assert.Equal("services:\n  a:\n    ports: [\"53:53/udp\"]  # dns\n",
            Ports(StackFileConverter.Convert("services:\n  a:\n    ports: [\"53:53/udp\", \"80\", \"81\"]  # dns\n").Output));
    }

    [Fact]
    public void Every_output_reads_back_as_the_stack_it_describes_and_converts_to_itself()
    {
        string[] inputs =
        [
            "services:\n  web:\n    ports: [\"80\"]\n    deploy: {}\n",
            "services:\n  web:\n    ports: [\"80\"]\n    deploy: {labels: [a=b]}\n",
            "services:\n  web:\n    ports: [\"80\"]\n    deploy:\n      labels: []   # none yet\n",
            "services:\n  web:\n    ports: [\"80\"]\n    deploy:\n      labels: ['a=b']\n      endpoint_mode: 'vip'\n",
            "services:\n  web:\n    ports:\n    - \"80\"\n    deploy:\n      labels:\n      - 'a=b'\n",
        ];
        foreach (var input in inputs)
        {
            var output = StackFileConverter.Convert(input).Output;
            var again = StackFileConverter.Convert(output);
            Assert.Equal(output, again.Output);
            Assert.DoesNotContain(again.Services, s => s.Converted);
            Assert.Contains("swarmedge.http.port", output);
            Assert.Contains("dnsrr", output);
        }
    }

    /// <summary>The text up to the first line that is not the service's ports.</summary>
    private static string Ports(string output) => string.Concat(output.Split('\n').TakeWhile(l => !l.Contains("deploy")).Select(l => l + "\n"));

    public static TheoryData<string, string, string> Awkward() => new()
    {
        {
            "an anchored label list",
            "services:\n  web:\n    ports: [\"80\"]\n    deploy:\n      labels: &l\n        - a=b\n",
            "        - a=b\n        # swarmedge convert: was published"
        },
        {
            "a flow list of labels and a port from a variable",
            "services:\n  web:\n    ports: [\"${P:-8088}:${T:-3000}\"]\n    deploy:\n      labels: [a=b]\n",
            "labels: [a=b, \"swarmedge.enable=true\", \"swarmedge.http.port=${T:-3000}\""
        },
        {
            "a flow deploy with a comma after its last entry",
            "services:\n  web:\n    ports: [\"80\"]\n    deploy: {\n      mode: replicated,\n    }\n",
            "mode: replicated, endpoint_mode: dnsrr, labels: {swarmedge.enable: \"true\", swarmedge.http.port: \"80\", swarmedge.http.host: \"web.example.com\"},\n    }"
        },
        {
            "a block scalar with a # line right above the ports",
            "services:\n  web:\n    command: |\n      run\n      # done\n    ports:\n      - \"80\"\n",
            "      run\n      # done\n    deploy:\n"
        },
        {
            "a space before the colon of empty labels",
            "services:\n  web:\n    ports: [\"80\"]\n    deploy:\n      labels : {}\n",
            "labels : {swarmedge.enable: \"true\""
        },
        {
            "a port item whose content starts below its dash, after a comment with a dash",
            "services:\n  web:\n    ports:\n      - \"53:53/udp\"\n      -\n        # web-ui\n        target: 80\n        published: 8080\n",
            "    ports:\n      - \"53:53/udp\"\n    deploy:\n"
        },
    };

    [Theory]
    [MemberData(nameof(Awkward))]
    public void Awkward_layouts_convert_to_valid_yaml_that_converts_to_itself(string layout, string yaml, string expected)
    {
        var output = StackFileConverter.Convert(yaml).Output;

        Assert.True(output.Contains(expected, StringComparison.Ordinal), $"{layout}:\n{output}");
        var again = StackFileConverter.Convert(output);
        Assert.Equal(output, again.Output);
        Assert.DoesNotContain(again.Services, s => s.Converted);
    }

    [Fact]
    public void A_service_that_merges_keys_from_an_anchor_is_left_as_it_is()
    {
        const string yaml = "x-common: &c\n  deploy:\n    replicas: 3\nservices:\n  web:\n    <<: *c\n    ports: [\"80\"]\n";

        var result = StackFileConverter.Convert(yaml);

        Assert.Equal(yaml, result.Output);
        Assert.Contains("merges keys from an anchor", Assert.Single(result.Services).Detail);
    }
}
