using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SwarmEdge.IntegrationTests.Lab;

/// <summary>A test CA and the certificates it signs, written as PEM files the way Docker secrets would hold them.</summary>
internal sealed class LabCertificates : IDisposable
{
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public LabCertificates()
    {
        var request = new CertificateRequest("CN=SwarmEdge lab CA", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        Ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        Directory = System.IO.Directory.CreateDirectory(Path.Combine(RepoPaths.Root, "artifacts", "certs-" + Guid.NewGuid().ToString("N")[..8])).FullName;
    }

    public X509Certificate2 Ca { get; }

    /// <summary>The directory SwarmEdge watches (SwarmEdge:Https:CertificateDirectory).</summary>
    public string Directory { get; }

    /// <summary>Writes NAME.crt and NAME.key (key first, then the certificate, each by rename) and returns its thumbprint.</summary>
    public string Issue(string name, params string[] dnsNames)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={dnsNames[0]}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var dns in dnsNames)
        {
            if (System.Net.IPAddress.TryParse(dns, out var ip))
            {
                san.AddIpAddress(ip);
            }
            else
            {
                san.AddDnsName(dns);
            }
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = RandomNumberGenerator.GetBytes(12);
        using var certificate = request.Create(Ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), serial);
        Replace(Path.Combine(Directory, name + ".key"), key.ExportPkcs8PrivateKeyPem());
        Replace(Path.Combine(Directory, name + ".crt"), certificate.ExportCertificatePem() + "\n");
        return certificate.Thumbprint;
    }

    public string CaFile
    {
        get
        {
            var path = Path.Combine(Path.GetDirectoryName(Directory)!, Path.GetFileName(Directory) + "-ca.pem");
            File.WriteAllText(path, Ca.ExportCertificatePem() + "\n");
            return path;
        }
    }

    private static void Replace(string path, string content)
    {
        var temporary = path + ".tmp" + Guid.NewGuid().ToString("N")[..6];
        File.WriteAllText(temporary, content);
        File.Move(temporary, path, overwrite: true);
    }

    public void Dispose()
    {
        _caKey.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
