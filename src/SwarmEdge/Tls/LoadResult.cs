namespace SwarmEdge.Tls;

/// <summary>A certificate file read, or why it could not be.</summary>
internal sealed record LoadResult(CertificateSource Source, ServableCertificate? Certificate, string? Error);
