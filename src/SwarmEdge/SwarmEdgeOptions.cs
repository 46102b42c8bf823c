namespace SwarmEdge;

/// <summary>
/// Everything SwarmEdge reads from configuration (section "SwarmEdge": config/appsettings.json,
/// SwarmEdge__... environment variables, --SwarmEdge:...=... command line).
/// </summary>
internal sealed class SwarmEdgeOptions
{
    public const string Section = "SwarmEdge";

    public DockerOptions Docker { get; set; } = new();

    public DnsOptions Dns { get; set; } = new();

    public DiscoveryOptions Discovery { get; set; } = new();

    public ProxyOptions Proxy { get; set; } = new();

    public AdminOptions Admin { get; set; } = new();

    public TcpOptions Tcp { get; set; } = new();

    public RoutingOptions Routing { get; set; } = new();

    public LimitsOptions Limits { get; set; } = new();

    public HttpsOptions Https { get; set; } = new();

    public ShutdownOptions Shutdown { get; set; } = new();

    public AcmeOptions Acme { get; set; } = new();

    public AccessLogOptions AccessLog { get; set; } = new();

    public TracingOptions Tracing { get; set; } = new();

    /// <summary>
    /// Overlay networks SwarmEdge is attached to (names or IDs). A service's task addresses are taken from
    /// the one of these networks it is on. Empty: any network the service is on (then a service on several
    /// networks needs the swarmedge.network label).
    /// </summary>
    public List<string> Networks { get; set; } = [];

    /// <summary>
    /// Defaults filled in after binding: the configuration binder appends to a list that already has items, so a
    /// list default in the initializer could never be replaced, only added to; and settings derived from others.
    /// </summary>
    public void ApplyDefaults()
    {
        if (Docker.Endpoints.Count == 0)
        {
            Docker.Endpoints.Add("unix:///var/run/docker.sock");
        }

        if (Proxy.Retry.Methods.Count == 0)
        {
            Proxy.Retry.Methods.AddRange(["GET", "HEAD", "OPTIONS"]);
        }

        // Certificates from the swarm are served like files: the edge writes them to its cache directory.
        Https.StoredCertificateDirectory = Acme.Enabled ? Acme.CertificateCache : "";
    }
}
