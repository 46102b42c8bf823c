using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SwarmEdge.Tls;

namespace SwarmEdge.Tests.Tls;

/// <summary>The store against real PEM files in a temporary directory, reloaded by hand (the poll calls Reload).</summary>
public sealed class CertificateStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("swarmedge-certs-").FullName;

    private CertificateStore Store(string defaultCertificate = "") =>
        new(Options.Create(new SwarmEdgeOptions { Https = { CertificateDirectory = _dir, DefaultCertificate = defaultCertificate } }),
            TimeProvider.System, NullLogger<CertificateStore>.Instance);

    [Fact]
    public void Pairs_of_crt_and_key_files_serve_their_names_and_report_their_expiry()
    {
        TestCertificates.Write(_dir, "shop", ["shop.example.com"], DateTimeOffset.UtcNow.AddDays(20));
        TestCertificates.Write(_dir, "apps", ["*.apps.example.com"]);

        var store = Store(defaultCertificate: "shop");

        Assert.Equal("shop", store.Current.Find("shop.example.com")!.Name);
        Assert.Equal("apps", store.Current.Find("x.apps.example.com")!.Name);
        Assert.Equal("shop", store.Current.Find("other.test")!.Name);
        var shop = store.Status.Single(s => s.Name == "shop");
        Assert.True(shop.Serving);
        Assert.True(shop.IsDefault);
        Assert.InRange(shop.DaysLeft!.Value, 19.5, 20.1);
        Assert.Null(shop.Error);
    }

    [Fact]
    public void A_replaced_file_serves_at_the_next_reload_and_a_broken_one_keeps_the_last_good_certificate()
    {
        TestCertificates.Write(_dir, "shop", ["shop.example.com"]);
        var store = Store();
        var first = store.Current.Find("shop.example.com")!.Thumbprint;

        TestCertificates.Write(_dir, "shop", ["shop.example.com"]);
        store.Reload();
        var second = store.Current.Find("shop.example.com")!.Thumbprint;
        Assert.NotEqual(first, second);

        // Half written: the chain is cut, or the key belongs to another certificate.
        var crt = Path.Combine(_dir, "shop.crt");
        File.WriteAllText(crt, File.ReadAllText(crt)[..100]);
        store.Reload();
        Assert.Equal(second, store.Current.Find("shop.example.com")!.Thumbprint);
        var status = Assert.Single(store.Status);
        Assert.True(status.Serving);
        Assert.EndsWith("serving the last good certificate until the file is fixed", status.Error);

        var (otherCertificate, _) = TestCertificates.Pem(["shop.example.com"]);
        File.WriteAllText(crt, otherCertificate);
        store.Reload();
        Assert.Equal(second, store.Current.Find("shop.example.com")!.Thumbprint);
        Assert.NotNull(Assert.Single(store.Status).Error);

        File.Delete(crt);
        store.Reload();
        Assert.Null(store.Current.Find("shop.example.com"));
        Assert.Empty(store.Status);
    }

    [Fact]
    public void An_expired_or_keyless_file_is_an_error_and_not_served()
    {
        TestCertificates.Write(_dir, "old", ["old.example.com"], notAfter: DateTimeOffset.UtcNow.AddDays(-1), notBefore: DateTimeOffset.UtcNow.AddDays(-10));
        var (certificate, _) = TestCertificates.Pem(["nokey.example.com"]);
        File.WriteAllText(Path.Combine(_dir, "nokey.crt"), certificate);

        var store = Store();

        Assert.Null(store.Current.Find("old.example.com"));
        Assert.Null(store.Current.Find("nokey.example.com"));
        Assert.StartsWith("expired on", store.Status.Single(s => s.Name == "old").Error);
        Assert.StartsWith("no private key", store.Status.Single(s => s.Name == "nokey").Error);
        Assert.All(store.Status, s => Assert.False(s.Serving));
    }

    [Fact]
    public void A_pem_file_may_hold_its_key_and_other_files_are_ignored()
    {
        var (certificate, key) = TestCertificates.Pem(["both.example.com"]);
        File.WriteAllText(Path.Combine(_dir, "both.pem"), certificate + "\n" + key);
        File.WriteAllText(Path.Combine(_dir, "README"), "not a certificate");

        var store = Store();

        Assert.Equal("both", store.Current.Find("both.example.com")!.Name);
        Assert.Single(store.Status);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
