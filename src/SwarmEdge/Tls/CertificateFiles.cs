using System.Collections.Immutable;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SwarmEdge.Tls;

/// <summary>
/// Reads certificates from files, the way Docker secrets are mounted: in SwarmEdge:Https:CertificateDirectory,
/// every "NAME.crt" (or "NAME.pem") with its key in "NAME.key" (or in the same .pem file), plus the explicit
/// SwarmEdge:Https:Certificates entries, and those the edge keeps from the swarm (SwarmEdge:Acme, one NAME.pem
/// each). The chain file holds the leaf first, then its intermediates.
/// </summary>
internal static class CertificateFiles
{
    public static ImmutableArray<CertificateSource> Find(HttpsOptions https)
    {
        var sources = ImmutableArray.CreateBuilder<CertificateSource>();
        foreach (var directory in new[] { https.CertificateDirectory, https.StoredCertificateDirectory })
        {
            if (directory.Length == 0 || !Directory.Exists(directory))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileNameWithoutExtension(file);
                var extension = Path.GetExtension(file);
                if (name.StartsWith('.') || extension is not (".crt" or ".pem"))
                {
                    continue;
                }

                var key = Path.Combine(directory, name + ".key");
                sources.Add(new CertificateSource(name, file, File.Exists(key) ? key : file));
            }
        }

        foreach (var entry in https.Certificates)
        {
            sources.Add(new CertificateSource(Path.GetFileNameWithoutExtension(entry.Certificate), entry.Certificate,
                string.IsNullOrEmpty(entry.Key) ? entry.Certificate : entry.Key));
        }

        return sources.ToImmutable();
    }

    /// <summary>What decides whether a source changed since it was read: its files' size and time.</summary>
    public static string Signature(CertificateSource source)
    {
        static string Of(string path)
        {
            var info = new FileInfo(path);
            return info.Exists ? $"{info.Length}:{info.LastWriteTimeUtc.Ticks}" : "missing";
        }

        return source.KeyFile == source.CertificateFile ? Of(source.CertificateFile) : $"{Of(source.CertificateFile)}|{Of(source.KeyFile)}";
    }

    public static LoadResult Load(CertificateSource source, DateTimeOffset now)
    {
        try
        {
            var chainPem = File.ReadAllText(source.CertificateFile);
            var keyPem = source.KeyFile == source.CertificateFile ? chainPem : File.ReadAllText(source.KeyFile);
            var chain = new X509Certificate2Collection();
            chain.ImportFromPem(chainPem);
            if (chain.Count == 0)
            {
                return Failed(source, $"{source.CertificateFile} holds no PEM certificate");
            }

            if (!keyPem.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
            {
                return Failed(source, $"no private key: neither {source.Name}.key nor a PRIVATE KEY block in {source.CertificateFile}");
            }

            var leaf = X509Certificate2.CreateFromPem(chainPem, keyPem);
            var notBefore = new DateTimeOffset(leaf.NotBefore.ToUniversalTime());
            var notAfter = new DateTimeOffset(leaf.NotAfter.ToUniversalTime());
            if (notAfter <= now)
            {
                return Failed(source, $"expired on {notAfter:yyyy-MM-dd HH:mm} UTC");
            }

            if (notBefore > now)
            {
                return Failed(source, $"not valid before {notBefore:yyyy-MM-dd HH:mm} UTC");
            }

            var names = CertificateIndex.NamesOf(leaf);
            if (names.IsEmpty)
            {
                return Failed(source, "names no host: it has neither DNS subject alternative names nor a common name");
            }

            var intermediates = new X509Certificate2Collection();
            for (var i = 1; i < chain.Count; i++)
            {
                intermediates.Add(chain[i]);
            }

            var context = SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
            return new LoadResult(source, new ServableCertificate(source.Name, source.CertificateFile, names, notBefore, notAfter, leaf.Thumbprint, context), null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            // A key that does not belong to the certificate, a truncated file (caught while it is being written), ...
            return Failed(source, ex.Message);
        }
    }

    private static LoadResult Failed(CertificateSource source, string error) => new(source, null, error);
}
