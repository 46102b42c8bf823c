using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SwarmEdge.Tls;

namespace SwarmEdge.Acme;

/// <summary>A certificate config opened: for Host, valid from NotBefore to NotAfter, its chain and key as one PEM.</summary>
internal sealed record StoredCertificate(string ConfigName, string Host, DateTimeOffset NotBefore, DateTimeOffset NotAfter, string Pem)
{
    /// <summary>
    /// Opens a certificate config, or says why it is not one of ours: not sealed with our key for its host (someone
    /// else labelled a config like ours), or a certificate that does not name the host it is stored for.
    /// </summary>
    public static (StoredCertificate? Certificate, string? Error) Open(StorageKey key, AcmeConfig config)
    {
        var payload = AcmePayloads.Open<CertificatePayload>(key, config);
        if (payload is null || payload.Host != config.Host)
        {
            return (null, "not sealed with this swarm's storage key for its host label and name");
        }

        try
        {
            using var leaf = X509Certificate2.CreateFromPem(payload.Chain);
            if (!CertificateIndex.NamesOf(leaf).Contains(config.Host))
            {
                return (null, $"its certificate does not name {config.Host}");
            }

            var pem = payload.Chain.TrimEnd() + "\n" + payload.Key.TrimEnd() + "\n";
            return (new StoredCertificate(config.Name, config.Host, new DateTimeOffset(leaf.NotBefore.ToUniversalTime()),
                new DateTimeOffset(leaf.NotAfter.ToUniversalTime()), pem), null);
        }
        catch (CryptographicException ex)
        {
            return (null, $"its certificate cannot be read: {ex.Message}");
        }
    }

    /// <summary>
    /// Per host, the certificate to serve: valid now and the most recently issued (the latest to expire on a tie),
    /// so a renewal serves as soon as it is valid, even from a CA whose certificates are shorter than the old one,
    /// and an older one of ours put back never displaces it.
    /// </summary>
    public static Dictionary<string, StoredCertificate> Serving(IEnumerable<StoredCertificate> certificates, DateTimeOffset now) =>
        MostRecent(certificates.Where(c => c.NotBefore <= now && now < c.NotAfter));

    /// <summary>Per host, the most recently issued certificate that has not expired, valid yet or not: what renewals are planned from.</summary>
    public static Dictionary<string, StoredCertificate> Latest(IEnumerable<StoredCertificate> certificates, DateTimeOffset now) =>
        MostRecent(certificates.Where(c => now < c.NotAfter));

    private static Dictionary<string, StoredCertificate> MostRecent(IEnumerable<StoredCertificate> certificates) =>
        certificates
            .GroupBy(c => c.Host, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(c => c.NotBefore).ThenByDescending(c => c.NotAfter).ThenBy(c => c.ConfigName, StringComparer.Ordinal).First(),
                StringComparer.Ordinal);
}
