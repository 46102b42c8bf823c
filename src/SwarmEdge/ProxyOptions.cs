namespace SwarmEdge;

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

    /// <summary>
    /// Addresses or CIDR ranges of proxies in front of the edge (a cloud load balancer) whose X-Forwarded-For and
    /// X-Forwarded-Proto are believed: the client's address is then the first one, from the right, that is not
    /// such a proxy. Empty (the default): those headers from clients are never believed, the TCP peer is the client.
    /// </summary>
    public string[] TrustedProxies { get; set; } = [];

    /// <summary>
    /// Connections from TrustedProxies start with a PROXY protocol header (v1 or v2: HAProxy's send-proxy, AWS NLB,
    /// a cloud TCP load balancer), and the client it names is the connection's peer; such a connection without one
    /// is closed. Connections from elsewhere are never read for a header.
    /// </summary>
    public bool ProxyProtocol { get; set; }

    /// <summary>
    /// Also send tasks RFC 7239's Forwarded header (for, proto, host), set by the edge. Off: none is sent, and one a
    /// client sent is removed (YARP's default), so no task can read a client's claim in it.
    /// </summary>
    public bool ForwardedHeader { get; set; }

    public IEnumerable<System.Net.IPNetwork> TrustedNetworks() => TrustedProxies.Select(ParseNetwork).OfType<System.Net.IPNetwork>();

    public static System.Net.IPNetwork? ParseNetwork(string value) =>
        System.Net.IPNetwork.TryParse(value.Trim(), out var network) ? network
        : System.Net.IPAddress.TryParse(value.Trim(), out var address) && !value.Contains('/')
            ? new System.Net.IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
            : null;
}
