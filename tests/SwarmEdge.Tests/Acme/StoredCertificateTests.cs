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
        name ??= AcmeConfigNames.Certificate(key ?? Key, host, Now) + Guid.NewGuid().ToString("N")[..4];
        var data = AcmePayloads.Seal(key ?? Key, AcmeConfigKind.Certificate, sealedFor ?? host, name, new CertificatePayload(sealedFor ?? host, chain, privateKey));
        return new AcmeConfig("id-" + Guid.NewGuid().ToString("N")[..8], name, AcmeConfigKind.Certificate, host, Now, data);
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
    [InlineData("one of ours copied under another name", "not sealed with this swarm's storage key for its host label and name")]
    public void A_config_labelled_like_ours_by_someone_else_is_refused(string forgery, string expected)
    {
        var config = forgery switch
        {
            "sealed with another key" => Config("shop.test", key: new StorageKey(RandomNumberGenerator.GetBytes(32))),
            "another host's certificate relabelled" => Config("shop.test", sealedFor: "evil.test"),
            "a certificate that names another host" => Config("shop.test", names: ["evil.test"]),
            "one of ours copied under another name" => Config("shop.test") with { Name = "a" },
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

        var newest = StoredCertificate.Serving([renewed, old, expired, future, api], Now);
        var latest = StoredCertificate.Latest([renewed, old, expired, future, api], Now);

        Assert.Equal("renewed", newest["shop.test"].ConfigName);
        Assert.Equal("api", newest["api.test"].ConfigName);
        Assert.Equal(2, newest.Count);
        // Renewals are planned from the most recently issued one, valid yet or not.
        Assert.Equal("future", latest["api.test"].ConfigName);
        Assert.Equal("renewed", latest["shop.test"].ConfigName);
    }

    [Fact]
    public void A_renewal_from_a_ca_with_shorter_certificates_serves_as_soon_as_it_is_valid()
    {
        var yearLong = Open(Config("shop.test", notBefore: Now.AddDays(-300), notAfter: Now.AddDays(65), name: "year"));
        var renewed = Open(Config("shop.test", notBefore: Now.AddMinutes(-1), notAfter: Now.AddDays(45), name: "renewed"));

        Assert.Equal("renewed", StoredCertificate.Serving([yearLong, renewed], Now)["shop.test"].ConfigName);
        Assert.Equal("renewed", StoredCertificate.Latest([yearLong, renewed], Now)["shop.test"].ConfigName);
    }

    [Fact]
    public void Config_names_carry_a_keyed_hash_so_no_one_without_the_key_can_take_a_hosts_lock_first()
    {
        var other = new StorageKey(RandomNumberGenerator.GetBytes(32));

        Assert.Equal(AcmeConfigNames.Order(Key, "shop.test"), AcmeConfigNames.Order(Key, "shop.test"));
        Assert.NotEqual(AcmeConfigNames.Order(Key, "shop.test"), AcmeConfigNames.Order(other, "shop.test"));
        Assert.NotEqual(AcmeConfigNames.Order(Key, "shop.test"), AcmeConfigNames.Order(Key, "api.test"));
        Assert.DoesNotContain(Convert.ToHexStringLower(SHA256.HashData("shop.test"u8))[..16], AcmeConfigNames.Order(Key, "shop.test"));
        Assert.Matches("^swarmedge-acme-certificate-[0-9a-f]{16}-[0-9]{17}$", AcmeConfigNames.Certificate(Key, "shop.test", Now));
        Assert.True(AcmeConfigNames.Account(Key, "https://acme.test/dir", "ops@example.com").Length <= 64);
    }

    [Fact]
    public void A_host_whose_certificates_all_expired_has_none()
    {
        var expired = Open(Config("shop.test", notBefore: Now.AddDays(-91), notAfter: Now.AddSeconds(-1)));

        Assert.Empty(StoredCertificate.Serving([expired], Now));
    }

    private static StoredCertificate Open(AcmeConfig config) => StoredCertificate.Open(Key, config).Certificate!;
}
