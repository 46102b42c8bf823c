using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using SwarmEdge.Acme;
using SwarmEdge.IntegrationTests.Lab;
using Xunit.Abstractions;

namespace SwarmEdge.IntegrationTests.Hostile;

/// <summary>
/// deploy/socket-proxy with issuer.cfg, the real image on the lab's real dockerd: the certificate issuer's calls
/// (made here by the product's own DockerConfigs) pass, and what a compromised issuer could try beyond them is
/// refused before dockerd sees it: other configs, secrets, services, a config body that is not one of ours.
/// </summary>
[Collection(SingleNodeSwarmCollection.Name)]
public sealed class IssuerSocketProxyTests(IssuerSocketProxyTests.RunningIssuerProxy proxy, ITestOutputHelper output)
    : IClassFixture<IssuerSocketProxyTests.RunningIssuerProxy>
{
    private const string Container = "it-issuer-socket-proxy";
    private const int Port = 23752;
    private const string Data = "AAEC";

    public static TheoryData<string, string> Refused => new()
    {
        { "every config", "GET /configs HTTP/1.1" },
        { "a config by name", "GET /configs/swarmedge-acme-account-0123456789abcdef HTTP/1.1" },
        { "secrets", "GET /secrets HTTP/1.1" },
        { "create a secret", Post("/secrets/create", $"{{\"Name\":\"swarmedge-acme-certificate-0123456789abcdef\",\"Data\":\"{Data}\"}}") },
        { "create a service", Post("/services/create", "{\"Name\":\"x\"}") },
        { "update a service", Post("/services/abcdefghijklmnopqrstuvwxy/update?version=1", "{}") },
        { "remove a service", "DELETE /services/abcdefghijklmnopqrstuvwxy HTTP/1.1" },
        { "remove another config by ID", "DELETE /configs/abcdefghijklmnopqrstuvwxy HTTP/1.1" },
        { "remove another config by name", "DELETE /configs/app-settings HTTP/1.1" },
        { "remove a secret", "DELETE /secrets/swarmedge_acme_key HTTP/1.1" },
        { "events (the issuer polls)", "GET /events HTTP/1.1" },
        { "a config named otherwise", Post("/configs/create", Body("app-settings", "certificate", "shop.test")) },
        { "a config of another kind", Post("/configs/create", Body("swarmedge-acme-certificate-0123456789abcdef-20261204000000000", "script", "shop.test")) },
        { "a config with a third label", Post("/configs/create",
            $"{{\"Name\":\"swarmedge-acme-order-0123456789abcdef\",\"Labels\":{{\"swarmedge.acme\":\"order\",\"swarmedge.acme.host\":\"a.test\",\"x\":\"y\"}},\"Data\":\"{Data}\"}}") },
        { "a config with templating", Post("/configs/create",
            $"{{\"Name\":\"swarmedge-acme-order-0123456789abcdef\",\"Labels\":{{\"swarmedge.acme\":\"order\",\"swarmedge.acme.host\":\"a.test\"}},\"Data\":\"{Data}\",\"Templating\":{{\"Name\":\"golang\"}}}}") },
        { "a host label with a quote", Post("/configs/create", Body("swarmedge-acme-order-0123456789abcdef", "order", "a.test\\\",\\\"x\\\":\\\"y")) },
        { "a create with a query", Post("/configs/create?x=1", Body("swarmedge-acme-order-0123456789abcdef", "order", "a.test")) },
        { "a chunked create", "POST /configs/create HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" },
        { "a create by GET", "GET /configs/create HTTP/1.1" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Everything_beyond_the_issuers_calls_is_refused_before_dockerd(string attempt, string request)
    {
        output.WriteLine($"{attempt}: {SocketProxyTests.RunningProxy.AssertRefused(attempt, await SocketProxyTests.RunningProxy.SendAsync(Port, request))}");
    }

    [Fact]
    public async Task The_issuers_own_calls_create_list_and_remove_its_configs()
    {
        var options = new SwarmEdgeOptions { Docker = { Endpoints = { $"tcp://127.0.0.1:{Port}" } } };
        using var configs = new DockerConfigs(Options.Create(options));
        var host = $"{SwarmServices.UniqueName("sp")}.test";
        var name = AcmeConfigNames.Certificate(new StorageKey(RandomNumberGenerator.GetBytes(32)), host, DateTimeOffset.UtcNow);
        // The size of a sealed RSA 4096 chain and key: the whole body must still be checked.
        var data = RandomNumberGenerator.GetBytes(9000);
        try
        {
            Assert.True(await configs.CreateAsync(name, AcmeConfigKind.Certificate, host, data, CancellationToken.None));
            Assert.False(await configs.CreateAsync(name, AcmeConfigKind.Certificate, host, data, CancellationToken.None)); // the lock
            var listed = Assert.Single(await configs.ListAsync(null, CancellationToken.None), c => c.Name == name);
            Assert.Equal(host, listed.Host);
            Assert.Equal(data, listed.Data);
            await configs.RemoveAsync(name, CancellationToken.None);
            Assert.DoesNotContain(await configs.ListAsync(null, CancellationToken.None), c => c.Name == name);
        }
        finally
        {
            await Shell.RunAsync("docker", ["config", "rm", name], check: false);
        }

        Assert.NotNull(proxy);
        Measurements.Record(output, "issuer socket proxy", $"{Refused.Count} requests beyond the issuer's refused; its create (9,000 bytes sealed), list and remove passed");
    }

    private static string Body(string name, string kind, string host) =>
        $"{{\"Name\":\"{name}\",\"Labels\":{{\"swarmedge.acme\":\"{kind}\",\"swarmedge.acme.host\":\"{host}\"}},\"Data\":\"{Data}\"}}";

    private static string Post(string path, string body) =>
        $"POST {path} HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: {System.Text.Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";

    /// <summary>One issuer socket proxy container for all the cases.</summary>
    public sealed class RunningIssuerProxy : IAsyncLifetime
    {
        public Task InitializeAsync() => SocketProxyTests.RunningProxy.StartAsync(Container, Port, "issuer.cfg");

        public Task DisposeAsync() => Shell.RunAsync("docker", ["rm", "-f", Container], check: false);
    }
}
