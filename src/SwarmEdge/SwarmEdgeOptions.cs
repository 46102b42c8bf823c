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

    /// <summary>
    /// Overlay networks SwarmEdge is attached to (names or IDs). A service's task addresses are taken from
    /// the one of these networks it is on. Empty: any network the service is on (then a service on several
    /// networks needs the swarmedge.network label).
    /// </summary>
    public List<string> Networks { get; set; } = [];

    /// <summary>
    /// List defaults are filled in after binding: the configuration binder appends to a list that already has
    /// items, so a default in the initializer could never be replaced, only added to.
    /// </summary>
    public void ApplyListDefaults()
    {
        if (Docker.Endpoints.Count == 0)
        {
            Docker.Endpoints.Add("unix:///var/run/docker.sock");
        }

        if (Proxy.Retry.Methods.Count == 0)
        {
            Proxy.Retry.Methods.AddRange(["GET", "HEAD", "OPTIONS"]);
        }
    }
}

internal sealed class DockerOptions
{
    /// <summary>
    /// Docker Engine API endpoints of swarm managers, tried in order: unix:///path or tcp://host:port.
    /// Several managers keep SwarmEdge informed when one of them is lost. Default: unix:///var/run/docker.sock.
    /// </summary>
    public List<string> Endpoints { get; set; } = [];

    /// <summary>Time budget of one API request (list calls, not the event stream).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// With several endpoints: a request not answered after this long is also sent to the next endpoint, and
    /// the first answer wins (and that endpoint becomes the current one). A manager cut off from the swarm
    /// keeps its socket open and answers nothing; this bounds what it costs, below RequestTimeout.
    /// </summary>
    public TimeSpan HedgeAfter { get; set; } = TimeSpan.FromSeconds(1);
}

internal sealed class DnsOptions
{
    /// <summary>
    /// DNS server that answers tasks.&lt;service&gt; (Docker's embedded DNS: 127.0.0.11 inside a container on the
    /// overlay). Empty: the DNS source is off and endpoints come from the Docker API only.
    /// </summary>
    public string Server { get; set; } = "";

    /// <summary>How often tasks.&lt;service&gt; is re-resolved. Docker's TTL (600 s) is never honoured.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan Timeout { get; set; } = TimeSpan.FromMilliseconds(500);
}

internal sealed class DiscoveryOptions
{
    /// <summary>Safety net: a full re-read of services, tasks, networks and nodes this often, events or not.</summary>
    public TimeSpan ResyncInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>While a service update is in progress its tasks are re-read this often.</summary>
    public TimeSpan UpdateFollowInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>After an event, reads wait this long so that a burst of events costs one read.</summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Longest backoff between the retries of one Docker API call, and between event stream reconnects.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>After a read of the swarm that failed every retry, the wait before the same read is tried again.</summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(1);
}

internal sealed class ProxyOptions
{
    /// <summary>Address the proxy listens on.</summary>
    public string Address { get; set; } = "0.0.0.0";

    public int Port { get; set; } = 8080;

    /// <summary>Load balancing policy when a service does not choose one (YARP policy names).</summary>
    public string LoadBalancingPolicy { get; set; } = "PowerOfTwoChoices";

    /// <summary>
    /// Time to open a connection to a task. Short, because a lost node's task IPs are black holes:
    /// connections to them hang instead of being refused.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(1);

    public RetryOptions Retry { get; set; } = new();

    /// <summary>
    /// A task that answers nothing for this long while its peers answer is taken out of the rotation and its
    /// waiting GETs are retried elsewhere: a lost node's connections hang rather than fail. Zero turns it off.
    /// The default for services without a swarmedge.http.stall-timeout label (long-poll services set it to 0).
    /// </summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// PEM bundle of the CAs that sign the certificates of tasks speaking TLS (swarmedge.http.protocol=https).
    /// Empty: the system's roots. The name is not checked either way: tasks are reached by IP address.
    /// </summary>
    public string TaskCaFile { get; set; } = "";

    /// <summary>How long a task stays out of the rotation after a transport failure (refused, reset, timeout).</summary>
    public TimeSpan PassiveHealthReactivation { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>Defaults for retrying a request on another task; services override them with labels.</summary>
internal sealed class RetryOptions
{
    /// <summary>Attempts in all, the first one included. 1 turns retries off.</summary>
    public int Attempts { get; set; } = 3;

    /// <summary>
    /// No retry starts once this much time has passed since the request arrived. Generous, because a request
    /// stuck on a lost node is only freed when the node's loss is seen (Docker's DNS: about 6 s).
    /// </summary>
    public TimeSpan Budget { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Methods that are safe to send twice (default GET, HEAD, OPTIONS).</summary>
    public List<string> Methods { get; set; } = [];

    /// <summary>A retryable request with a body up to this size is buffered so it can be sent again.</summary>
    public int MaxBufferedBodyBytes { get; set; } = 64 * 1024;
}

internal sealed class TcpOptions
{
    /// <summary>
    /// Edge ports that accept TCP connections for services with swarmedge.tcp.* labels. Ops decide what the
    /// edge exposes: a label can only pick one of these ports, never open another.
    /// </summary>
    public List<int> Entrypoints { get; set; } = [];

    /// <summary>Time to connect to a task; a failed connect moves to another task.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Tasks tried for one client connection before it is closed.</summary>
    public int ConnectAttempts { get; set; } = 3;

    /// <summary>A connection with no bytes either way for this long is closed.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Connections to a task that left the rotation are closed (FIN to both sides) this long after it left,
    /// unless the task closes them first: a lost node would otherwise leave them hanging forever.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a task that refused or timed out a connect is skipped while others remain.</summary>
    public TimeSpan FailedTaskCooldown { get; set; } = TimeSpan.FromSeconds(10);
}

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

    public bool Enabled => CertificateDirectory.Length > 0 || Certificates.Count > 0;
}

internal sealed class CertificateFileOptions
{
    /// <summary>PEM chain: the leaf first, then intermediates.</summary>
    public string Certificate { get; set; } = "";

    /// <summary>PEM private key; empty when the certificate file holds it.</summary>
    public string Key { get; set; } = "";
}

/// <summary>
/// Limits of the proxy listener (HTTP and TCP entrypoints), for clients on the internet: slow or oversized
/// requests and floods from one address. Kestrel's own defaults are kept where they were already sane.
/// </summary>
internal sealed class LimitsOptions
{
    /// <summary>Time a client has to send a request's headers (Kestrel: 30 s); answered 408.</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>An idle keep-alive connection is closed after this (Kestrel: 130 s).</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A request body arriving slower than this (bytes/s, after the grace period) is cut; 0 turns it off.</summary>
    public double MinRequestBodyDataRate { get; set; } = 240;

    /// <summary>A client reading a response slower than this (bytes/s, after the grace period) is cut; 0 turns it off.</summary>
    public double MinResponseDataRate { get; set; } = 240;

    public TimeSpan MinDataRateGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Open connections in all, HTTP and TCP routes (Kestrel: unlimited); 0: unlimited.</summary>
    public long MaxConcurrentConnections { get; set; } = 10_000;

    /// <summary>WebSocket and other upgraded connections in all (Kestrel: unlimited); 0: unlimited.</summary>
    public long MaxConcurrentUpgradedConnections { get; set; } = 10_000;

    /// <summary>Request line (method, target, version) in bytes; longer: 414.</summary>
    public int MaxRequestLineSize { get; set; } = 8 * 1024;

    /// <summary>All request headers together, in bytes; more: 431.</summary>
    public int MaxRequestHeadersTotalSize { get; set; } = 32 * 1024;

    public int MaxRequestHeaderCount { get; set; } = 100;

    /// <summary>Largest request body in bytes (a service's swarmedge.http.max-body-size overrides it); more: 413.</summary>
    public long MaxRequestBodySize { get; set; } = 30_000_000;

    /// <summary>Connections one client address may hold open at once; more are closed at once. 0: off.</summary>
    public int MaxConnectionsPerClient { get; set; }

    /// <summary>Requests per second one client address may send (token bucket); more: 429. 0: off.</summary>
    public int RequestsPerSecondPerClient { get; set; }

    /// <summary>Requests a client may send at once above its rate; 0: as many as RequestsPerSecondPerClient.</summary>
    public int RequestBurstPerClient { get; set; }
}

/// <summary>
/// The operator's rules for what service labels may claim (see Catalog/RoutingPolicy): labels are written by
/// whoever deploys a service, these by whoever runs the edge.
/// </summary>
internal sealed class RoutingOptions
{
    /// <summary>
    /// Host of a service that sets no host and no path, "{service}" standing for its name: "{service}" or
    /// "{service}.apps.example.com". Empty (the default): such a service has no route.
    /// </summary>
    public string DefaultHost { get; set; } = "";

    /// <summary>
    /// Whether a route may have a path and no host. Such a route matches that path on every domain, so it is
    /// off by default; when on, it only gets requests no host route matches.
    /// </summary>
    public bool AllowHostlessRoutes { get; set; }

    /// <summary>Hosts services may claim, each for some tenants or for all. Empty: any host.</summary>
    public List<AllowedHostOptions> AllowedHosts { get; set; } = [];

    /// <summary>
    /// The service label whose value names a service's tenant (its team). A host belongs to the tenant that
    /// claimed it first. Default: the stack namespace docker stack deploy sets.
    /// </summary>
    public string TenantLabel { get; set; } = "com.docker.stack.namespace";
}

internal sealed class AllowedHostOptions
{
    /// <summary>"example.com" (that name) or "*.example.com" (every name below it, at any depth).</summary>
    public string Host { get; set; } = "";

    /// <summary>Values of the tenant label that may claim it; empty: every service.</summary>
    public List<string> Tenants { get; set; } = [];
}

internal sealed class AdminOptions
{
    /// <summary>Loopback by default: the admin API shows task addresses, node IDs and Docker's errors.</summary>
    public string Address { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 8081;

    /// <summary>
    /// File holding the bearer token every admin request but /healthz and /readyz must carry
    /// (Authorization: Bearer ...); required when Address is not loopback. A Docker secret fits.
    /// </summary>
    public string TokenFile { get; set; } = "";

    /// <summary>Serve /metrics without the token (a Prometheus that cannot send one, on a trusted network).</summary>
    public bool MetricsWithoutToken { get; set; }
}
