using SwarmEdge.Commands.Convert;

namespace SwarmEdge.Tests.Commands;

/// <summary>What the convert command does not touch comes back as it was: read, then written, unchanged.</summary>
public class YamlRoundTripTests
{
    private static string RoundTrip(string yaml) => YamlTreeWriter.Write(YamlTreeReader.Read(yaml));

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
    public void Untouched_yaml_comes_back_as_it_was(string yaml)
    {
        var expected = yaml.Replace("#no space", "# no space");

        Assert.Equal(expected, RoundTrip(yaml));
    }

    [Fact]
    public void The_file_indentation_is_kept()
    {
        const string yaml = "services:\n    web:\n        ports:\n            - 80\n";

        Assert.Equal(yaml, RoundTrip(yaml));
    }

    [Fact]
    public void What_the_emitter_normalises_is_spacing_flow_comments_and_folded_line_breaks()
    {
        var file = YamlTreeReader.Read("a: 1    # aligned\nb: [\n  x,  # inside flow\n  y\n]\nc: >\n  folded\n  text\n");

        // The folded scalar's value ("folded text\n") is the same; only where its source broke the line is not.
        Assert.Equal("a: 1 # aligned\nb: [x, y]\nc: >\n  folded text\n", YamlTreeWriter.Write(file));
        Assert.Equal(["line 3: the comment inside a flow collection ('# inside flow') is not kept"], file.Lost.ToArray());
    }
}
