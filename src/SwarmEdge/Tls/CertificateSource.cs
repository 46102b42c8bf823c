namespace SwarmEdge.Tls;

/// <summary>Where one certificate comes from: a PEM chain and its PEM private key (the same file when it holds both).</summary>
internal sealed record CertificateSource(string Name, string CertificateFile, string KeyFile);
