using Microsoft.Extensions.Configuration;
using SwarmEdge.Commands;

namespace SwarmEdge.Tests.Commands;

public class HealthCheckCommandTests
{
    [Theory]
    [InlineData("127.0.0.1", 8081, "http://127.0.0.1:8081/healthz")]
    [InlineData("0.0.0.0", 9000, "http://127.0.0.1:9000/healthz")]
    [InlineData("::", 9000, "http://127.0.0.1:9000/healthz")]
    [InlineData("10.0.0.5", 9000, "http://10.0.0.5:9000/healthz")]
    [InlineData("::1", 8081, "http://[::1]:8081/healthz")]
    public void Asks_the_admin_api_where_the_server_listens(string address, int port, string expected) =>
        Assert.Equal(expected, HealthCheckCommand.DefaultUrl(new AdminOptions { Address = address, Port = port }));

    [Fact]
    public void Reads_the_admin_port_from_the_same_sources_as_the_server()
    {
        var configuration = new ConfigurationBuilder().AddSwarmEdgeSources(["--SwarmEdge:Admin:Port=9191"]).Build();

        Assert.Equal("http://127.0.0.1:9191/healthz", HealthCheckCommand.DefaultUrl(SwarmEdgeConfiguration.Read(configuration).Admin));
    }
}
