using SwarmEdge.Commands.Convert;

namespace SwarmEdge.Tests.Commands;

public class ComposePortTests
{
    [Theory]
    [InlineData("80", "80", "", "tcp")]
    [InlineData("8080:80", "80", "8080", "tcp")]
    [InlineData("127.0.0.1:8080:80", "80", "8080", "tcp")]
    [InlineData("[::1]:5353:53/udp", "53", "5353", "udp")]
    [InlineData("9090-9091:8080-8081", "8080-8081", "9090-9091", "tcp")]
    [InlineData("6060:6060/UDP", "6060", "6060", "udp")]
    [InlineData("${WEB_PORT:-8080}:${TARGET:-80}", "${TARGET:-80}", "${WEB_PORT:-8080}", "tcp")]
    public void Short_syntax(string text, string target, string published, string protocol)
    {
        var port = ComposePort.ParseShort(text);

        Assert.Equal(new ComposePort(target, published, protocol, true, null), port);
    }

    [Theory]
    [InlineData("1:2:3:4")]
    [InlineData("8080:")]
    [InlineData("[::1:80")]
    public void Short_syntax_that_is_not_a_port(string text) => Assert.Null(ComposePort.ParseShort(text));

    [Fact]
    public void Long_syntax_is_ingress_unless_mode_is_host()
    {
        Assert.True(ComposePort.ParseLong(new Dictionary<string, string> { ["target"] = "80" })!.Ingress);
        Assert.True(ComposePort.ParseLong(new Dictionary<string, string> { ["target"] = "80", ["mode"] = "ingress" })!.Ingress);
        Assert.False(ComposePort.ParseLong(new Dictionary<string, string> { ["target"] = "80", ["mode"] = "host" })!.Ingress);
        Assert.Null(ComposePort.ParseLong(new Dictionary<string, string> { ["published"] = "80" }));
    }

    [Theory]
    [InlineData("80", true, true)]
    [InlineData("8080:80/udp", false, false)]
    [InlineData("8443:443", false, false)]
    [InlineData("80:443", false, false)]
    [InlineData("5432:5432", false, false)]
    [InlineData("7001", false, true)]
    [InlineData("${PORT}", false, true)]
    [InlineData("8000-8010:8000-8010", false, false)]
    public void Http_heuristics(string text, bool looksHttp, bool maybeHttp)
    {
        var port = ComposePort.ParseShort(text)!;

        Assert.Equal((looksHttp, maybeHttp), (port.LooksHttp, port.MaybeHttp));
    }

    [Fact]
    public void App_protocol_decides_when_given()
    {
        var https = ComposePort.ParseLong(new Dictionary<string, string> { ["target"] = "8080", ["app_protocol"] = "https" })!;
        var http = ComposePort.ParseLong(new Dictionary<string, string> { ["target"] = "9999", ["app_protocol"] = "http" })!;

        Assert.False(https.LooksHttp || https.MaybeHttp);
        Assert.True(http.LooksHttp);
    }
}
