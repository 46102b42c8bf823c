using Prometheus;

namespace SwarmEdge.Admin;

/// <summary>Every metric SwarmEdge exports on the admin port's /metrics.</summary>
internal static class SwarmEdgeMetrics
{
    public static readonly Counter Requests = Metrics.CreateCounter(
        "swarmedge_requests_total", "Requests answered by the proxy, by route and status code.",
        new CounterConfiguration { LabelNames = ["route", "code"] });

    /// <summary>The request duration histogram's upper bounds in seconds (the dashboard reads quantiles off them).</summary>
    public static readonly double[] DurationBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    public static readonly Histogram RequestDuration = Metrics.CreateHistogram(
        "swarmedge_request_duration_seconds", "Time from request start to response end, by route.",
        new HistogramConfiguration
        {
            LabelNames = ["route"],
            Buckets = DurationBuckets,
        });

    public static readonly Gauge RequestsInFlight = Metrics.CreateGauge(
        "swarmedge_requests_in_flight", "Requests the proxy has received and not answered yet (a stop waits for them).");

    public static readonly Gauge CertificateExpiry = Metrics.CreateGauge(
        "swarmedge_certificate_expiry_days", "Days until a certificate the HTTPS entrypoint serves expires, by certificate (file name).",
        new GaugeConfiguration { LabelNames = ["certificate"] });

    public static readonly Gauge AcmeOrderFailures = Metrics.CreateGauge(
        "swarmedge_acme_order_failures", "Failed certificate orders in a row, by host, as the issuer stored them (0: the last one succeeded or none failed).", "host");

    public static readonly Gauge CertificateErrors = Metrics.CreateGauge(
        "swarmedge_certificate_errors", "1 while a certificate file cannot be served (broken, expired, half written), by certificate.",
        new GaugeConfiguration { LabelNames = ["certificate"] });

    public static readonly Counter TlsRefused = Metrics.CreateCounter(
        "swarmedge_tls_refused_total", "TLS handshakes refused because no certificate serves the name the client asked for (and there is no default).");

    public static readonly Counter StallProbes = Metrics.CreateCounter(
        "swarmedge_stall_probes_total", "Connection attempts to suspect tasks (silent while their peers answer, or departed with requests waiting), by service and result (answered, lost).",
        new CounterConfiguration { LabelNames = ["service", "result"] });

    public static readonly Counter ClientLimitRejections = Metrics.CreateCounter(
        "swarmedge_client_limit_rejections_total", "Connections closed at once because their client address was over SwarmEdge:Limits:MaxConnectionsPerClient (limit=connections).",
        new CounterConfiguration { LabelNames = ["limit"] });

    public static readonly Counter ProxyProtocolRefused = Metrics.CreateCounter(
        "swarmedge_proxy_protocol_refused_total", "Connections from SwarmEdge:Proxy:TrustedProxies closed for lack of a valid PROXY protocol header (SwarmEdge:Proxy:ProxyProtocol).");

    public static readonly Counter Retries = Metrics.CreateCounter(
        "swarmedge_retries_total", "Requests sent again to another task after a transport failure, by route.",
        new CounterConfiguration { LabelNames = ["route"] });

    public static readonly Gauge TcpConnectionsOpen = Metrics.CreateGauge(
        "swarmedge_tcp_connections_open", "TCP connections open through the edge, by route (service).",
        new GaugeConfiguration { LabelNames = ["route"] });

    public static readonly Counter TcpConnections = Metrics.CreateCounter(
        "swarmedge_tcp_connections_total", "TCP connections accepted, by route (service) and outcome (proxied, no_route, connect_failed).",
        new CounterConfiguration { LabelNames = ["route", "outcome"] });

    public static readonly Counter TcpBytes = Metrics.CreateCounter(
        "swarmedge_tcp_bytes_total", "Bytes relayed, by route and direction (in: client to task, out: task to client).",
        new CounterConfiguration { LabelNames = ["route", "direction"] });

    public static readonly Counter TcpConnectFailures = Metrics.CreateCounter(
        "swarmedge_tcp_connect_failures_total", "Failed connects to a task (each one is retried on another task), by route.",
        new CounterConfiguration { LabelNames = ["route"] });

    public static readonly Counter StalledTasks = Metrics.CreateCounter(
        "swarmedge_stalled_tasks_total", "Tasks found on a lost node (silent or departed with requests waiting, and their node does not answer a connection), by service.",
        new CounterConfiguration { LabelNames = ["service"] });

    public static readonly Counter ConfigApplies = Metrics.CreateCounter(
        "swarmedge_config_applies_total", "Times a changed route and cluster configuration was swapped into the proxy.");

    public static readonly Gauge ServiceEndpoints = Metrics.CreateGauge(
        "swarmedge_service_endpoints", "Live endpoints (tasks that get traffic) per service.",
        new GaugeConfiguration { LabelNames = ["service"] });

    public static readonly Gauge ServiceErrors = Metrics.CreateGauge(
        "swarmedge_service_errors", "Configuration errors per service (bad labels, networks, route conflicts).",
        new GaugeConfiguration { LabelNames = ["service"] });

    public static readonly Gauge NodeUnreachable = Metrics.CreateGauge(
        "swarmedge_node_unreachable", "1 while none of a node's tasks answers a connection from the edge though Docker reports them running (a broken overlay), by node host name.",
        "node");

    public static readonly Gauge DockerApiUp = Metrics.CreateGauge(
        "swarmedge_docker_api_up", "1 while the last read of the swarm through the Docker API succeeded, 0 while it fails (the last good routes serve meanwhile).");

    public static readonly Counter DiscoveryErrors = Metrics.CreateCounter(
        "swarmedge_discovery_errors_total", "Failed observations, by source (docker, events, dns, routes-file).",
        new CounterConfiguration { LabelNames = ["source"] });

    public static readonly Counter EventStreamReconnects = Metrics.CreateCounter(
        "swarmedge_event_stream_reconnects_total", "Times the Docker event stream was opened again after it dropped.");

    public static readonly Counter DockerApiRequests = Metrics.CreateCounter(
        "swarmedge_docker_api_requests_total", "Docker Engine API requests made, by operation.",
        new CounterConfiguration { LabelNames = ["operation"] });

    public static readonly Counter DnsLookups = Metrics.CreateCounter(
        "swarmedge_dns_lookups_total", "tasks.<service> lookups, by result (ok, failed).",
        new CounterConfiguration { LabelNames = ["result"] });

    public static readonly Counter AccessLogDropped = Metrics.CreateCounter(
        "swarmedge_access_log_dropped_total", "Access log lines dropped because the writer's queue was full.");

    public static readonly Counter ForwardAuthFailures = Metrics.CreateCounter(
        "swarmedge_forward_auth_failures_total", "Requests refused with 503 because a forward-auth middleware's auth service did not answer, by middleware.",
        new CounterConfiguration { LabelNames = ["middleware"] });

    /// <summary>Drops every series of a gauge, before it is set again from a new state (a host that left must not linger).</summary>
    public static void Clear(Gauge gauge)
    {
        foreach (var labels in gauge.GetAllLabelValues().ToList())
        {
            gauge.RemoveLabelled(labels);
        }
    }
}
