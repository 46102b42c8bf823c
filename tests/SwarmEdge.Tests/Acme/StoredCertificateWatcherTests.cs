using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SwarmEdge.Acme;

namespace SwarmEdge.Tests.Acme;

public sealed class StoredCertificateWatcherTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "swarmedge-watcher-" + Guid.NewGuid().ToString("N"));
    private readonly StorageKey _key;
    private readonly StoredCertificateWatcher _watcher;
    private readonly DockerConfigs _configs;

    public StoredCertificateWatcherTests()
    {
        Directory.CreateDirectory(_directory);
        var bytes = RandomNumberGenerator.GetBytes(32);
        _key = new StorageKey(bytes);
        var keyFile = Path.Combine(_directory, "key");
        File.WriteAllText(keyFile, Convert.ToHexString(bytes));
        var options = new SwarmEdgeOptions { Acme = { StorageKeyFile = keyFile, CertificateCache = Path.Combine(_directory, "cache") } };
        options.ApplyDefaults();
        _configs = new DockerConfigs(Options.Create(options));
        _watcher = new StoredCertificateWatcher(Options.Create(options), _configs, new FakeTimeProvider(DateTimeOffset.UtcNow),
            NullLogger<StoredCertificateWatcher>.Instance);
    }

    private string Cache => Path.Combine(_directory, "cache");

    [Fact]
    public void The_newest_certificate_of_each_host_is_written_as_one_private_pem_file()
    {
        _watcher.Apply([StoredCertificateTests.Config("shop.test", key: _key)]);

        var file = Path.Combine(Cache, "acme-shop.test.pem");
        var pem = File.ReadAllText(file);
        Assert.Contains("BEGIN CERTIFICATE", pem);
        Assert.Contains("PRIVATE KEY", pem);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, OperatingSystem.IsWindows() ? UnixFileMode.UserRead | UnixFileMode.UserWrite : File.GetUnixFileMode(file));
        Assert.Equal(["acme-shop.test.pem"], Directory.GetFiles(Cache).Select(Path.GetFileName));
    }

    [Fact]
    public void A_renewal_replaces_the_file_and_a_certificate_removed_from_the_swarm_serves_on_until_it_expires()
    {
        var first = StoredCertificateTests.Config("shop.test", key: _key, notAfter: DateTimeOffset.UtcNow.AddDays(20));
        var renewed = StoredCertificateTests.Config("shop.test", key: _key, notAfter: DateTimeOffset.UtcNow.AddDays(90));
        _watcher.Apply([first]);
        var before = File.ReadAllText(Path.Combine(Cache, "acme-shop.test.pem"));

        _watcher.Apply([first, renewed]);
        var after = File.ReadAllText(Path.Combine(Cache, "acme-shop.test.pem"));
        Assert.NotEqual(before, after);

        // Gone from the swarm: the file serves on until the certificate expires (the store drops it then).
        _watcher.Apply([]);
        Assert.Equal(after, File.ReadAllText(Path.Combine(Cache, "acme-shop.test.pem")));
    }

    [Fact]
    public void A_config_sealed_with_another_key_is_not_served()
    {
        _watcher.Apply([StoredCertificateTests.Config("shop.test", key: new StorageKey(RandomNumberGenerator.GetBytes(32)))]);

        Assert.Empty(Directory.GetFiles(Cache));
    }

    [Fact]
    public void The_status_of_each_host_joins_its_certificate_its_order_in_progress_and_its_last_failure()
    {
        var now = DateTimeOffset.UtcNow;
        var failure = new FailurePayload("api.test", "rate limited", 2, now.AddMinutes(-1), now.AddMinutes(9));
        _watcher.Apply([
            StoredCertificateTests.Config("shop.test", key: _key),
            new AcmeConfig("o1", AcmeConfigNames.Order(_key, "api.test"), AcmeConfigKind.Order, "api.test", now.AddSeconds(-3),
                AcmePayloads.Seal(_key, AcmeConfigKind.Order, "api.test", AcmeConfigNames.Order(_key, "api.test"), new OrderPayload("api.test", "issuer-1", now.AddSeconds(-3)))),
            // An order lock planted by someone without the key says nothing about the host.
            new AcmeConfig("o2", "order-evil", AcmeConfigKind.Order, "evil.test", now, []),
            new AcmeConfig("f1", "failure-api", AcmeConfigKind.Failure, "api.test", now,
                AcmePayloads.Seal(_key, AcmeConfigKind.Failure, "api.test", "failure-api", failure)),
            new AcmeConfig("f2", "failure-evil", AcmeConfigKind.Failure, "evil.test", now,
                AcmePayloads.Seal(new StorageKey(RandomNumberGenerator.GetBytes(32)), AcmeConfigKind.Failure, "evil.test", "failure-evil", failure with { Host = "evil.test" })),
        ]);

        Assert.Equal(["api.test", "shop.test"], _watcher.Status.Select(s => s.Host));
        var api = _watcher.Status[0];
        Assert.Equal((now.AddSeconds(-3), "rate limited", 2, now.AddMinutes(9)), (api.PendingSince!.Value, api.LastError, api.Failures, api.NextAttempt!.Value));
        Assert.Null(api.ValidUntil);
        var shop = _watcher.Status[1];
        Assert.NotNull(shop.ValidUntil);
        Assert.Equal(0, shop.Failures);
    }

    public void Dispose()
    {
        _configs.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
