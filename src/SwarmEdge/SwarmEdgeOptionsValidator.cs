using System.Net;
using Microsoft.Extensions.Options;
using SwarmEdge.Catalog;
using SwarmEdge.Discovery;

namespace SwarmEdge;

/// <summary>Refuses to start with configuration that cannot work, naming the key and the bad value.</summary>
internal sealed class SwarmEdgeOptionsValidator : IValidateOptions<SwarmEdgeOptions>
{
    // A stop that takes longer than this is one Swarm's stop_grace_period would have to match: an hour is no drain.
    private static readonly TimeSpan MaxShutdownStep = TimeSpan.FromMinutes(5);

    public ValidateOptionsResult Validate(string? name, SwarmEdgeOptions options)
    {
        var errors = new List<string>();

        if (options.Docker.Endpoints.Count == 0)
        {
            errors.Add("SwarmEdge:Docker:Endpoints is empty: name at least one Docker API endpoint");
        }

        foreach (var endpoint in options.Docker.Endpoints)
        {
            if (!DockerEndpoint.TryParse(endpoint, out _))
            {
                errors.Add($"SwarmEdge:Docker:Endpoints \"{endpoint}\" is not {DockerEndpoint.Forms}");
            }
        }

        if (!string.IsNullOrWhiteSpace(options.Dns.Server) && !IPEndPoint.TryParse(options.Dns.Server, out _))
        {
            errors.Add($"SwarmEdge:Dns:Server \"{options.Dns.Server}\" is not an IP address with an optional :port");
        }

        CheckPositive(errors, "SwarmEdge:Dns:Interval", options.Dns.Interval);
        CheckPositive(errors, "SwarmEdge:Dns:Timeout", options.Dns.Timeout);
        CheckPositive(errors, "SwarmEdge:Docker:RequestTimeout", options.Docker.RequestTimeout);
        CheckPositive(errors, "SwarmEdge:Docker:HedgeAfter", options.Docker.HedgeAfter);
        CheckPositive(errors, "SwarmEdge:Discovery:ResyncInterval", options.Discovery.ResyncInterval);
        CheckPositive(errors, "SwarmEdge:Discovery:UpdateFollowInterval", options.Discovery.UpdateFollowInterval);
        CheckPositive(errors, "SwarmEdge:Discovery:MaxRetryDelay", options.Discovery.MaxRetryDelay);
        CheckPositive(errors, "SwarmEdge:Discovery:RetryInterval", options.Discovery.RetryInterval);
        if (options.Proxy.Retry.RefusedWait < TimeSpan.Zero || options.Proxy.Retry.RefusedWait > options.Proxy.Retry.Budget)
        {
            errors.Add($"SwarmEdge:Proxy:Retry:RefusedWait is {options.Proxy.Retry.RefusedWait}: it must be between 0 and SwarmEdge:Proxy:Retry:Budget ({options.Proxy.Retry.Budget})");
        }

        CheckListen(errors, "SwarmEdge:Proxy", options.Proxy.Address, options.Proxy.Port);
        CheckListen(errors, "SwarmEdge:Admin", options.Admin.Address, options.Admin.Port);
        if (IPAddress.TryParse(options.Admin.Address, out var adminAddress) && !IPAddress.IsLoopback(adminAddress)
            && string.IsNullOrWhiteSpace(options.Admin.TokenFile))
        {
            errors.Add($"SwarmEdge:Admin:Address {options.Admin.Address} is not loopback: set SwarmEdge:Admin:TokenFile to a file " +
                       "holding the bearer token admin requests must carry (or keep the admin API on 127.0.0.1)");
        }

        if (options.Proxy.Port == options.Admin.Port)
        {
            errors.Add($"SwarmEdge:Proxy:Port and SwarmEdge:Admin:Port are both {options.Proxy.Port}: the admin API needs its own port");
        }

        if (options.Admin.ProbePort != 0)
        {
            if (options.Admin.ProbePort is < 1 or > 65535)
            {
                errors.Add($"SwarmEdge:Admin:ProbePort {options.Admin.ProbePort} is not a port number from 1 to 65535 (or 0: none)");
            }
            else if (options.Admin.ProbePort == options.Proxy.Port || options.Admin.ProbePort == options.Admin.Port
                     || options.Admin.ProbePort == options.Https.Port && options.Https.Enabled
                     || options.Tcp.Entrypoints.Contains(options.Admin.ProbePort))
            {
                errors.Add($"SwarmEdge:Admin:ProbePort {options.Admin.ProbePort} is already the proxy, admin, HTTPS or a TCP entrypoint port");
            }
        }

        var tcp = options.Tcp;
        foreach (var port in tcp.Entrypoints)
        {
            if (port is < 1 or > 65535)
            {
                errors.Add($"SwarmEdge:Tcp:Entrypoints {port} is not a port number from 1 to 65535");
            }
            else if (port == options.Proxy.Port || port == options.Admin.Port)
            {
                errors.Add($"SwarmEdge:Tcp:Entrypoints {port} is already the proxy or the admin port");
            }
        }

        foreach (var duplicate in tcp.Entrypoints.GroupBy(p => p).Where(g => g.Count() > 1))
        {
            errors.Add($"SwarmEdge:Tcp:Entrypoints lists {duplicate.Key} more than once");
        }

        CheckPositive(errors, "SwarmEdge:Tcp:ConnectTimeout", tcp.ConnectTimeout);
        CheckPositive(errors, "SwarmEdge:Tcp:IdleTimeout", tcp.IdleTimeout);
        CheckPositive(errors, "SwarmEdge:Tcp:DrainTimeout", tcp.DrainTimeout);
        if (tcp.RefusedWait < TimeSpan.Zero)
        {
            errors.Add($"SwarmEdge:Tcp:RefusedWait must be 00:00:00 (off) or more (it is {tcp.RefusedWait})");
        }

        if (tcp.ConnectAttempts < 1)
        {
            errors.Add($"SwarmEdge:Tcp:ConnectAttempts must be at least 1 (it is {tcp.ConnectAttempts})");
        }

        if (options.Proxy.StallTimeout < TimeSpan.Zero || options.Proxy.StallTimeout > ServiceLabelParser.MaxDuration)
        {
            errors.Add($"SwarmEdge:Proxy:StallTimeout must be 00:00:00 (off) up to {ServiceLabelParser.MaxDuration} (it is {options.Proxy.StallTimeout})");
        }

        foreach (var (key, value) in new[] { ("SwarmEdge:Shutdown:Grace", options.Shutdown.Grace), ("SwarmEdge:Shutdown:Drain", options.Shutdown.Drain) })
        {
            if (value < TimeSpan.Zero || value > MaxShutdownStep)
            {
                errors.Add($"{key} must be 00:00:00 up to {MaxShutdownStep} (it is {value})");
            }
        }

        if (Proxy.AccessLogs.AccessLogFilter.From(options.AccessLog).Error is { } accessLogError)
        {
            errors.Add(accessLogError);
        }

        var tracing = options.Tracing;
        if (tracing.Enabled && (!Uri.TryCreate(tracing.Endpoint, UriKind.Absolute, out var otlp) || otlp.Scheme is not ("http" or "https")))
        {
            errors.Add($"SwarmEdge:Tracing:Endpoint \"{tracing.Endpoint}\" is not an http(s) URL of an OTLP receiver");
        }

        if (tracing.Protocol is not ("http/protobuf" or "grpc"))
        {
            errors.Add($"SwarmEdge:Tracing:Protocol \"{tracing.Protocol}\" is not http/protobuf or grpc");
        }

        if (tracing.SampleRatio is < 0 or > 1 || double.IsNaN(tracing.SampleRatio))
        {
            errors.Add($"SwarmEdge:Tracing:SampleRatio {tracing.SampleRatio} is not between 0 and 1");
        }

        if (options.AccessLog.Format.ToLowerInvariant() is not ("json" or "common" or "combined"))
        {
            errors.Add($"SwarmEdge:AccessLog:Format \"{options.AccessLog.Format}\" is not json, common or combined");
        }

        foreach (var proxy in options.Proxy.TrustedProxies.Where(p => ProxyOptions.ParseNetwork(p) is null))
        {
            errors.Add($"SwarmEdge:Proxy:TrustedProxies \"{proxy}\" is neither an IP address nor a CIDR range");
        }

        if (options.Proxy.ProxyProtocol && options.Proxy.TrustedProxies.Length == 0)
        {
            errors.Add("SwarmEdge:Proxy:ProxyProtocol needs SwarmEdge:Proxy:TrustedProxies: the load balancers whose PROXY protocol headers are believed");
        }

        if (options.Proxy.TaskCaFile.Length > 0 && !File.Exists(options.Proxy.TaskCaFile))
        {
            errors.Add($"SwarmEdge:Proxy:TaskCaFile \"{options.Proxy.TaskCaFile}\" does not exist");
        }

        var https = options.Https;
        if (https.Enabled)
        {
            CheckListen(errors, "SwarmEdge:Https", options.Proxy.Address, https.Port);
            if (https.Port == options.Proxy.Port || https.Port == options.Admin.Port || options.Tcp.Entrypoints.Contains(https.Port))
            {
                errors.Add($"SwarmEdge:Https:Port {https.Port} is already the proxy, admin or a TCP entrypoint port");
            }

            CheckPositive(errors, "SwarmEdge:Https:ReloadInterval", https.ReloadInterval);
            if (https.RedirectPort is < 1 or > 65535)
            {
                errors.Add($"SwarmEdge:Https:RedirectPort {https.RedirectPort} is not a port number from 1 to 65535");
            }
            if (https.HstsMaxAge < TimeSpan.Zero)
            {
                errors.Add($"SwarmEdge:Https:HstsMaxAge must be zero (no header) or more (it is {https.HstsMaxAge})");
            }

            foreach (var entry in https.Certificates.Where(c => string.IsNullOrWhiteSpace(c.Certificate)))
            {
                errors.Add("SwarmEdge:Https:Certificates has an entry without Certificate (the PEM chain file)");
            }
        }

        var acme = options.Acme;
        if (acme.Enabled)
        {
            if (!File.Exists(acme.StorageKeyFile))
            {
                errors.Add($"SwarmEdge:Acme:StorageKeyFile \"{acme.StorageKeyFile}\" does not exist (a Docker secret: openssl rand -hex 32 | docker secret create swarmedge_acme_key -)");
            }
            else
            {
                // Read now: a key that cannot be used must stop the start, not the certificate watcher later.
                try
                {
                    Acme.StorageKey.Read(acme.StorageKeyFile);
                }
                catch (InvalidOperationException ex)
                {
                    errors.Add(ex.Message);
                }
            }

            if (!Uri.TryCreate(acme.IssuerAddress, UriKind.Absolute, out var issuer) || issuer.Scheme != "http" || issuer.PathAndQuery != "/")
            {
                errors.Add($"SwarmEdge:Acme:IssuerAddress \"{acme.IssuerAddress}\" is not http://host:port (the issuer's HTTP-01 server)");
            }

            CheckPositive(errors, "SwarmEdge:Acme:PollInterval", acme.PollInterval);
            if (acme.CertificateCache.Length == 0 || acme.CertificateCache == https.CertificateDirectory)
            {
                errors.Add("SwarmEdge:Acme:CertificateCache must be a directory of its own (not empty, not SwarmEdge:Https:CertificateDirectory)");
            }
        }

        var limits = options.Limits;
        CheckPositive(errors, "SwarmEdge:Limits:RequestHeadersTimeout", limits.RequestHeadersTimeout);
        CheckPositive(errors, "SwarmEdge:Limits:KeepAliveTimeout", limits.KeepAliveTimeout);
        CheckPositive(errors, "SwarmEdge:Limits:MinDataRateGracePeriod", limits.MinDataRateGracePeriod);
        foreach (var (key, value) in new (string, long)[]
                 {
                     ("MaxRequestLineSize", limits.MaxRequestLineSize), ("MaxRequestHeadersTotalSize", limits.MaxRequestHeadersTotalSize),
                     ("MaxRequestHeaderCount", limits.MaxRequestHeaderCount),
                 })
        {
            if (value < 1)
            {
                errors.Add($"SwarmEdge:Limits:{key} must be at least 1 (it is {value})");
            }
        }

        foreach (var (key, value) in new (string, double)[]
                 {
                     ("MinRequestBodyDataRate", limits.MinRequestBodyDataRate), ("MinResponseDataRate", limits.MinResponseDataRate),
                     ("MaxConcurrentConnections", limits.MaxConcurrentConnections), ("MaxConcurrentUpgradedConnections", limits.MaxConcurrentUpgradedConnections),
                     ("MaxRequestBodySize", limits.MaxRequestBodySize), ("MaxConnectionsPerClient", limits.MaxConnectionsPerClient),
                     ("RequestsPerSecondPerClient", limits.RequestsPerSecondPerClient), ("RequestBurstPerClient", limits.RequestBurstPerClient),
                 })
        {
            if (value < 0)
            {
                errors.Add($"SwarmEdge:Limits:{key} must be 0 (off) or more (it is {value})");
            }
        }

        var routing = options.Routing;
        if (!string.IsNullOrWhiteSpace(routing.DefaultHost)
            && !(routing.DefaultHost.Contains(RoutingPolicy.ServicePlaceholder, StringComparison.Ordinal)
                 && ServiceLabelParser.IsHost(routing.DefaultHost.Trim().Replace(RoutingPolicy.ServicePlaceholder, "service", StringComparison.Ordinal))))
        {
            errors.Add($"SwarmEdge:Routing:DefaultHost \"{routing.DefaultHost}\" must be a host name holding {RoutingPolicy.ServicePlaceholder}, " +
                       "such as {service}.apps.example.com");
        }

        foreach (var grant in routing.AllowedHosts)
        {
            if (!ServiceLabelParser.IsHost(grant.Host.Trim()) || grant.Host.Contains(':'))
            {
                errors.Add($"SwarmEdge:Routing:AllowedHosts host \"{grant.Host}\" must be a host name (example.com) or a wildcard (*.example.com), without a port");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckPositive(List<string> errors, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{key} must be more than zero (it is {value})");
        }
    }

    private static void CheckListen(List<string> errors, string key, string address, int port)
    {
        if (!IPAddress.TryParse(address, out _))
        {
            errors.Add($"{key}:Address \"{address}\" is not an IP address");
        }

        if (port is < 1 or > 65535)
        {
            errors.Add($"{key}:Port {port} is not a port number from 1 to 65535");
        }
    }
}
