using SwarmEdge.Tls;

namespace SwarmEdge.Tests.Tls;

public class CertificateIndexTests
{
    private static ServableCertificate Cert(string name, DateTimeOffset notAfter, params string[] hosts) =>
        new(name, $"/certs/{name}.crt", [.. hosts], DateTimeOffset.UnixEpoch, notAfter, name, null);

    private static readonly DateTimeOffset Later = DateTimeOffset.UtcNow.AddDays(60);

    private static readonly ServableCertificate Shop = Cert("shop", Later, "shop.example.com", "www.shop.example.com");
    private static readonly ServableCertificate Apps = Cert("apps", Later, "*.apps.example.com");
    private static readonly ServableCertificate Fallback = Cert("default", Later, "edge.example.com");

    [Theory]
    [InlineData("shop.example.com", "shop")]
    [InlineData("SHOP.Example.COM", "shop")]
    [InlineData("www.shop.example.com", "shop")]
    [InlineData("shop.example.com.", "shop")]
    [InlineData("api.apps.example.com", "apps")]
    [InlineData("edge.example.com", "default")]
    public void Names_pick_their_certificate_exact_first_then_a_wildcard(string name, string expected) =>
        Assert.Equal(expected, new CertificateIndex([Shop, Apps, Fallback], Fallback).Find(name)!.Name);

    [Theory]
    [InlineData("apps.example.com")]
    [InlineData("a.b.apps.example.com")]
    [InlineData("unknown.test")]
    [InlineData("")]
    [InlineData(null)]
    public void A_wildcard_covers_one_label_and_other_names_get_the_default(string? name)
    {
        Assert.Equal("default", new CertificateIndex([Shop, Apps, Fallback], Fallback).Find(name)!.Name);
        Assert.Null(new CertificateIndex([Shop, Apps], null).Find(name));
    }

    [Fact]
    public void An_exact_name_wins_over_a_wildcard_and_the_certificate_valid_longest_wins_among_equals()
    {
        var exact = Cert("exact", Later, "api.apps.example.com");
        var older = Cert("older", DateTimeOffset.UtcNow.AddDays(5), "shop.example.com");

        var index = new CertificateIndex([older, Apps, exact, Shop], null);

        Assert.Equal("exact", index.Find("api.apps.example.com")!.Name);
        Assert.Equal("shop", index.Find("shop.example.com")!.Name);
    }
}
