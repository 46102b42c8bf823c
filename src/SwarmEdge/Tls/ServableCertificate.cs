using System.Collections.Immutable;
using System.Net.Security;

namespace SwarmEdge.Tls;

/// <summary>
/// A certificate that can be served: its file, the DNS names it covers (lower case; "*.example.com" for a
/// wildcard), its validity, and the context SslStream presents (leaf and intermediates, built once).
/// </summary>
internal sealed record ServableCertificate(
    string Name,
    string CertificateFile,
    ImmutableArray<string> DnsNames,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    string Thumbprint,
    SslStreamCertificateContext? Context);
