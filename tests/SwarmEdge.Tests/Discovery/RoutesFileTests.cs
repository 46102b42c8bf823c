using System.Net;
using SwarmEdge.Discovery;

namespace SwarmEdge.Tests.Discovery;

/// <summary>The routes file as an operator writes it, in YAML or JSON, and what it must refuse whole.</summary>
public class RoutesFileTests
{
    [Fact]
    public void Services_become_opted_in_services_with_static_addresses_and_their_labels()
    {
        var read = RoutesFile.Parse("""
            # things outside the swarm
            services:
              erp:
                addresses: [10.0.5.21, 10.0.5.20, "2001:db8::5", 10.0.5.20]
                labels:
                  swarmedge.http.port: 8080
                  swarmedge.http.host: erp.example.com
              old-wiki:
                addresses:
                  - 192.168.7.10
                labels:
                  swarmedge.enable: "false"
                  swarmedge.http.port: "80"
            """);

        Assert.Null(read.Error);
        var erp = read.Services[0];
        Assert.Equal(("file:erp", "erp@file", DateTime.MinValue, RoutesFile.Network), (erp.Id, erp.Name, erp.CreatedAt, Assert.Single(erp.NetworkIds)));
        Assert.Equal([IPAddress.Parse("10.0.5.21"), IPAddress.Parse("10.0.5.20"), IPAddress.Parse("2001:db8::5")], erp.StaticAddresses!.Value.ToArray());
        Assert.Equal(
            [("swarmedge.enable", "true"), ("swarmedge.http.host", "erp.example.com"), ("swarmedge.http.port", "8080")],
            erp.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => (l.Key, l.Value)).ToArray());
        Assert.Equal("false", read.Services[1].Labels["swarmedge.enable"]);
        Assert.True(RoutesFile.IsFileService(erp.Name));
    }

    [Fact]
    public void Json_is_read_the_same()
    {
        var read = RoutesFile.Parse("""{ "services": { "erp": { "addresses": ["10.0.5.20"], "labels": { "swarmedge.http.port": "8080" } } } }""");

        Assert.Null(read.Error);
        Assert.Equal("erp@file", Assert.Single(read.Services).Name);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# nothing yet\n")]
    [InlineData("services:\n")]
    [InlineData("services: {}\n")]
    public void An_empty_file_has_no_services_and_no_error(string text)
    {
        var read = RoutesFile.Parse(text);

        Assert.Null(read.Error);
        Assert.Empty(read.Services);
    }

    [Theory]
    [InlineData("services: [erp]\n", "line 1: 'services' maps service names")]
    [InlineData("services:\n  erp:\n    addresses: [10.0.5.20\n", "line ")]
    [InlineData("- erp\n", "the file is a mapping with a 'services' key")]
    [InlineData("routes:\n  erp: {}\n", "line 1: unknown key 'routes' (known: services, middlewares)")]
    [InlineData("middlewares: [a]\n", "middlewares: line 1: 'middlewares' maps middleware names")]
    [InlineData("middlewares:\n  a: x\n", "middlewares: line 2: middleware 'a' maps kind.option keys")]
    [InlineData("services:\n  middlewares: {}\n", "line 2: service name 'middlewares'")]
    [InlineData("services:\n  erp:\n    address: [10.0.5.20]\n", "service erp: line 3: unknown key 'address' (known: addresses, labels)")]
    [InlineData("services:\n  erp:\n    addresses: [erp.internal]\n", "service erp: line 3: 'erp.internal' is not an IP address")]
    [InlineData("services:\n  erp:\n    addresses: [10.0.5.20:8080]\n", "service erp: line 3: '10.0.5.20:8080' is not an IP address")]
    [InlineData("services:\n  erp:\n    addresses: [\"10.1\"]\n", "service erp: line 3: '10.1' is not an IP address")]
    [InlineData("services:\n  erp:\n    addresses: 10.0.5.20\n", "service erp: line 3: 'addresses' is a list")]
    [InlineData("services:\n  erp:\n    labels: [a]\n", "service erp: line 3: 'labels' maps label keys to values")]
    [InlineData("services:\n  erp:\n    labels:\n      swarmedge.http.host: [a, b]\n", "service erp: line 4: a label is a key and a plain value")]
    [InlineData("services:\n  \"erp@file\": {}\n", "line 2: service name 'erp@file'")]
    [InlineData("services:\n  \"../x\": {}\n", "line 2: service name '../x'")]
    [InlineData("services: {}\n---\nservices: {}\n", "the file holds several YAML documents")]
    public void A_file_with_anything_wrong_in_its_shape_is_refused_whole_with_the_line(string text, string error)
    {
        var read = RoutesFile.Parse(text);

        Assert.Empty(read.Services);
        Assert.StartsWith(error, read.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_too_large_is_refused_before_it_is_parsed()
    {
        Assert.Equal("the file is over 1024 KiB", RoutesFile.Parse(new string('#', RoutesFile.MaxLength + 1)).Error);
    }
}
