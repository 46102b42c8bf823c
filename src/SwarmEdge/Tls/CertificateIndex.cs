using System.Collections.Immutable;
using System.Security.Cryptography.X509Certificates;

namespace SwarmEdge.Tls;

/// <summary>
/// Which certificate answers a TLS handshake, by the SNI name of the ClientHello (pure). An exact name wins over a
/// wildcard; a wildcard covers exactly one label ("*.example.com" covers "a.example.com", neither "example.com"
/// nor "a.b.example.com", as browsers check it, RFC 6125 6.4.3); among several certificates for a name, the one
/// valid longest. A name that matches none gets the default certificate, or no certificate (the handshake is
/// refused) when there is no default. Names compare ignoring case; SNI carries A-labels (punycode), as
/// certificates do.
/// </summary>
internal sealed class CertificateIndex
{
    public static readonly CertificateIndex Empty = new([], null);

    private readonly Dictionary<string, ServableCertificate> _exact = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, ServableCertificate> _wildcard = new(StringComparer.OrdinalIgnoreCase);

    public CertificateIndex(IEnumerable<ServableCertificate> certificates, ServableCertificate? fallback)
    {
        Default = fallback;
        foreach (var certificate in certificates)
        {
            foreach (var name in certificate.DnsNames)
            {
                var (map, key) = name.StartsWith("*.", StringComparison.Ordinal) ? (_wildcard, name[2..]) : (_exact, name);
                if (!map.TryGetValue(key, out var held) || certificate.NotAfter > held.NotAfter)
                {
                    map[key] = certificate;
                }
            }
        }
    }

    public ServableCertificate? Default { get; }

    public ServableCertificate? Find(string? serverName)
    {
        if (string.IsNullOrEmpty(serverName))
        {
            return Default;
        }

        var name = serverName.TrimEnd('.');
        if (_exact.TryGetValue(name, out var exact))
        {
            return exact;
        }

        var dot = name.IndexOf('.');
        return dot > 0 && _wildcard.TryGetValue(name[(dot + 1)..], out var wildcard) ? wildcard : Default;
    }

    /// <summary>The DNS names a certificate covers: its subject alternative names, else its common name.</summary>
    public static ImmutableArray<string> NamesOf(X509Certificate2 certificate)
    {
        var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        var names = san is not null
            ? san.EnumerateDnsNames().ToList()
            : [certificate.GetNameInfo(X509NameType.DnsName, forIssuer: false)];
        return [.. names.Where(n => n.Length > 0).Select(n => n.ToLowerInvariant()).Distinct()];
    }
}
