namespace SwarmEdge;

/// <summary>
/// Automatic certificates (SwarmEdge:Acme). The edges and the issuer share StorageKeyFile; the rest of the CA
/// settings are the issuer's (swarmedge issuer), which alone talks to the CA and writes to the Docker API.
/// </summary>
internal sealed class AcmeOptions
{
    /// <summary>Let's Encrypt's directories, by the names Directory accepts for them.</summary>
    public static readonly IReadOnlyDictionary<string, string> Presets = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["letsencrypt"] = "https://acme-v02.api.letsencrypt.org/directory",
        ["letsencrypt-staging"] = "https://acme-staging-v02.api.letsencrypt.org/directory",
    };

    /// <summary>
    /// A file holding the 32-byte key (64 hex digits) that certificates and keys are encrypted with in the swarm's
    /// configs: a Docker secret given to the edges and the issuer only. Empty: no automatic certificates.
    /// </summary>
    public string StorageKeyFile { get; set; } = "";

    /// <summary>Whether every route with a host gets a certificate unless its label says acme=false.</summary>
    public bool AllRoutes { get; set; }

    /// <summary>Where the edges forward the CA's HTTP-01 requests: the issuer on the overlay network.</summary>
    public string IssuerAddress { get; set; } = "http://issuer:8402";

    /// <summary>How often the edges and the issuer read the stored certificates.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Where an edge keeps the certificates it serves from the swarm (an in-memory tmpfs in the image).</summary>
    public string CertificateCache { get; set; } = "/tmp/swarmedge-acme";

    /// <summary>Issuer: the CA's directory URL, or letsencrypt / letsencrypt-staging.</summary>
    public string Directory { get; set; } = "";

    /// <summary>Issuer: the account's e-mail address (the CA writes to it about expiring certificates).</summary>
    public string Email { get; set; } = "";

    /// <summary>Issuer: ec256 (default), ec384, rsa2048, rsa4096.</summary>
    public string KeyType { get; set; } = "ec256";

    /// <summary>Issuer: a certificate is renewed when less than this share of its lifetime is left.</summary>
    public double RenewWhenLeft { get; set; } = 1.0 / 3;

    /// <summary>Issuer: PEM file of the CA's TLS roots, when they are not the system's (a test CA).</summary>
    public string CaCertificates { get; set; } = "";

    /// <summary>Issuer: the port its HTTP-01 server listens on, where IssuerAddress points.</summary>
    public int ChallengePort { get; set; } = 8402;

    /// <summary>
    /// Issuer: the edges' HTTP entrypoints (name:port, each name resolved to all its addresses: tasks.edge:8080 is
    /// every edge task), asked before an HTTP-01 order whether they route the host's challenge to this issuer; the
    /// order waits for the next poll until all do. Empty: no check.
    /// </summary>
    public string[] Edges { get; set; } = [];

    /// <summary>
    /// Issuer: a lego DNS provider (cloudflare, route53, ... `lego dnshelp`) for DNS-01, which wildcard hosts need;
    /// its credentials come from the issuer's environment as lego names them (NAME_FILE for a Docker secret).
    /// Empty: wildcards are not ordered.
    /// </summary>
    public string DnsProvider { get; set; } = "";

    /// <summary>Issuer: DNS servers (host:port) lego asks to see the TXT record; empty: the system's.</summary>
    public string DnsResolvers { get; set; } = "";

    /// <summary>Issuer: whether lego waits until every authoritative name server has the TXT record.</summary>
    public bool DnsPropagationCheck { get; set; } = true;

    /// <summary>Issuer: the ACME client (Debian's lego).</summary>
    public string Lego { get; set; } = "lego";

    /// <summary>Issuer: lego's working directory (its account and the certificate of the order running).</summary>
    public string WorkDirectory { get; set; } = "/tmp/swarmedge-issuer";

    /// <summary>Issuer: how long one order may take; an order lock older than twice this is taken as abandoned.</summary>
    public TimeSpan OrderTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>Issuer: the wait after a first failed order for a host, doubled after each further failure.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Issuer: the longest wait between two failed orders for a host.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromHours(24);

    public bool Enabled => StorageKeyFile.Length > 0;

    public string DirectoryUrl => Presets.GetValueOrDefault(Directory, Directory);
}
