using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SwarmEdge.Acme;

namespace SwarmEdge.Tests.Acme;

public class LegoClientTests
{
    private static LegoClient Client(Action<AcmeOptions> configure)
    {
        var options = new SwarmEdgeOptions
        {
            Acme = { Directory = "letsencrypt-staging", Email = "ops@example.com", WorkDirectory = "/tmp/w", ChallengePort = 8402 },
        };
        configure(options.Acme);
        return new LegoClient(Options.Create(options), NullLogger<LegoClient>.Instance);
    }

    [Fact]
    public void A_host_is_ordered_by_http_01_on_the_challenge_port_the_edges_forward_to()
    {
        var args = Client(_ => { }).Arguments("shop.example.com");

        Assert.Equal(["--accept-tos", "--email", "ops@example.com", "--server", "https://acme-staging-v02.api.letsencrypt.org/directory", "--path", "/tmp/w",
            "--key-type", "ec256", "--http", "--http.port", ":8402", "--domains", "shop.example.com", "run"], args);
    }

    [Fact]
    public void A_wildcard_is_ordered_by_dns_01_through_the_provider()
    {
        var args = Client(a => { a.DnsProvider = "cloudflare"; a.DnsResolvers = "1.1.1.1:53"; a.DnsPropagationCheck = false; }).Arguments("*.example.com");

        Assert.Equal(["--dns", "cloudflare", "--dns.resolvers", "1.1.1.1:53", "--dns.disable-cp", "--domains", "*.example.com", "run"], args[9..]);
        Assert.DoesNotContain("--http", args);
    }
}
