namespace SwarmEdge;

/// <summary>
/// The HTTPS entrypoint: on when certificates are configured (a directory, or explicit files).
/// </summary>
internal sealed class HttpsOptions
{
    /// <summary>Port of the HTTPS entrypoint (stack.yml publishes 443 to it).</summary>
    public int Port { get; set; } = 8443;

    /// <summary>
    /// A directory of certificates: each NAME.crt (or NAME.pem) with its key in NAME.key (or in the same .pem),
    /// the chain file holding the leaf first, then its intermediates. Docker secrets mounted there fit.
    /// </summary>
    public string CertificateDirectory { get; set; } = "";

    /// <summary>Certificate files named one by one (Key empty: the key is in the certificate file).</summary>
    public List<CertificateFileOptions> Certificates { get; set; } = [];

    /// <summary>
    /// The certificate (its file name without extension) for names that no certificate covers. Empty: such
    /// handshakes are refused.
    /// </summary>
    public string DefaultCertificate { get; set; } = "";

    /// <summary>How often certificate files are looked at for changes.</summary>
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Whether requests on plain HTTP to routes that serve HTTPS are redirected (a service's label overrides).</summary>
    public bool RedirectHttp { get; set; }

    /// <summary>The HTTPS port clients see, for redirects (stack.yml publishes 443 to Port).</summary>
    public int RedirectPort { get; set; } = 443;

    /// <summary>Strict-Transport-Security max-age on HTTPS responses; zero: no header (a service's label overrides).</summary>
    public TimeSpan HstsMaxAge { get; set; } = TimeSpan.Zero;

    /// <summary>Set from SwarmEdge:Acme, not bound: the directory the edge writes the swarm's certificates to.</summary>
    internal string StoredCertificateDirectory { get; set; } = "";

    public bool Enabled => CertificateDirectory.Length > 0 || Certificates.Count > 0 || StoredCertificateDirectory.Length > 0;
}
