using System.Security.Cryptography;
using SwarmEdge.Acme;
using SwarmEdge.Tests.Tls;

namespace SwarmEdge.Tests.Acme;

public class StoredCertificateTests
{
    internal static readonly StorageKey Key = new(RandomNumberGenerator.GetBytes(32));
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    internal static AcmeConfig Config(string host, string[]? names = null, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null,
        StorageKey? key = null, string? sealedFor = null, string? name = null)
    {
        var (chain, privateKey) = TestCertificates.Pem(names ?? [host], notBefore ?? Now.AddDays(-1), notAfter ?? Now.AddDays(60));
        var data = AcmePayloads.Seal(key ?? Key, AcmeConfigKind.Certificate, sealedFor ?? host, new CertificatePayload(sealedFor ?? host, chain, privateKey));
        return new AcmeConfig("id-" + Guid.NewGuid().ToString("N")[..8], name ?? AcmeConfigNames.Certificate(host, Now) + Guid.NewGuid().ToString("N")[..4],
            AcmeConfigKind.Certificate, host, Now, data);
    }

    [Fact]
    public void A_config_sealed_by_the_issuer_opens_to_its_chain_and_key()
    {
        var (certificate, error) = StoredCertificate.Open(Key, Config("shop.test"));

        Assert.Null(error);
        Assert.Equal("shop.test", certificate!.Host);
        Assert.Contains("BEGIN CERTIFICATE", certificate.Pem);
        Assert.Contains("PRIVATE KEY", certificate.Pem);
    }

    [Theory]
    [InlineData("sealed with another key", "not sealed with this swarm's storage key")]
    [InlineData("another host's certificate relabelled", "not sealed with this swarm's storage key")]
    [InlineData("a certificate that names another host", "does not name shop.test")]
    [InlineData("plain PEM, not sealed", "not sealed")]
    public void A_config_labelled_like_ours_by_someone_else_is_refused(string forgery, string expected)
    {
        var config = forgery switch
        {
            "sealed with another key" => Config("shop.test", key: new StorageKey(RandomNumberGenerator.GetBytes(32))),
            "another host's certificate relabelled" => Config("shop.test", sealedFor: "evil.test"),
            "a certificate that names another host" => Config("shop.test", names: ["evil.test"]),
            _ => new AcmeConfig("id", "swarmedge-acme-certificate-x", AcmeConfigKind.Certificate, "shop.test", Now, "-----BEGIN CERTIFICATE-----"u8.ToArray()),
        };

        var (certificate, error) = StoredCertificate.Open(Key, config);

        Assert.Null(certificate);
        Assert.True(error!.Contains(expected, StringComparison.Ordinal), $"{forgery}: {error}");
    }

    [Fact]
    public void The_newest_valid_certificate_of_each_host_serves_and_an_old_copy_put_back_does_not_displace_it()
    {
        var old = Open(Config("shop.test", notBefore: Now.AddDays(-80), notAfter: Now.AddDays(10), name: "old"));
        var renewed = Open(Config("shop.test", notBefore: Now.AddDays(-1), notAfter: Now.AddDays(89), name: "renewed"));
        var expired = Open(Config("api.test", notBefore: Now.AddDays(-91), notAfter: Now.AddMinutes(-1), name: "expired"));
        var future = Open(Config("api.test", notBefore: Now.AddHours(1), notAfter: Now.AddDays(90), name: "future"));
        var api = Open(Config("api.test", notBefore: Now.AddDays(-30), notAfter: Now.AddDays(60), name: "api"));

        var newest = StoredCertificate.Newest([renewed, old, expired, future, api], Now);

        Assert.Equal("renewed", newest["shop.test"].ConfigName);
        Assert.Equal("api", newest["api.test"].ConfigName);
        Assert.Equal(2, newest.Count);
    }

    [Fact]
    public void A_host_whose_certificates_all_expired_has_none()
    {
        var expired = Open(Config("shop.test", notBefore: Now.AddDays(-91), notAfter: Now.AddSeconds(-1)));

        Assert.Empty(StoredCertificate.Newest([expired], Now));
    }

    private static StoredCertificate Open(AcmeConfig config) => StoredCertificate.Open(Key, config).Certificate!;
}
