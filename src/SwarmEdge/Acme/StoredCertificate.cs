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
            return (null, "not sealed with this swarm's storage key for its host label");
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
    /// Per host, the certificate to serve: valid now and the latest to expire (the newest issued on a tie). An
    /// older config put back by someone who copied it never displaces a newer one.
    /// </summary>
    public static Dictionary<string, StoredCertificate> Newest(IEnumerable<StoredCertificate> certificates, DateTimeOffset now) =>
        certificates
            .Where(c => c.NotBefore <= now && now < c.NotAfter)
            .GroupBy(c => c.Host, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(c => c.NotAfter).ThenByDescending(c => c.NotBefore).ThenBy(c => c.ConfigName, StringComparer.Ordinal).First(),
                StringComparer.Ordinal);
}
