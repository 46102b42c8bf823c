using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SwarmEdge.Tests.Tls;

/// <summary>Real certificates for the tests, made with .NET's CertificateRequest and written as PEM files.</summary>
internal static class TestCertificates
{
    public static (string Certificate, string Key) Pem(string[] dnsNames, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={dnsNames[0]}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames)
        {
            san.AddDnsName(name);
        }

        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(notBefore ?? DateTimeOffset.UtcNow.AddDays(-1), notAfter ?? DateTimeOffset.UtcNow.AddDays(30));
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    public static void Write(string directory, string name, string[] dnsNames, DateTimeOffset? notAfter = null, DateTimeOffset? notBefore = null)
    {
        var (certificate, key) = Pem(dnsNames, notBefore, notAfter);
        File.WriteAllText(Path.Combine(directory, name + ".crt"), certificate);
        File.WriteAllText(Path.Combine(directory, name + ".key"), key);
    }
}
