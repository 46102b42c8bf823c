using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;
using SwarmEdge.Catalog.Traefik;
using static SwarmEdge.LabelKeys;

namespace SwarmEdge.Catalog;

/// <summary>
/// Reads a service's swarmedge.* labels. Never throws: every problem becomes a message naming the label and
/// its bad value, so one broken service is reported while the others keep serving.
/// </summary>
internal static partial class ServiceLabelParser
{
    /// <summary>The longest duration a label (or SwarmEdge:Proxy:StallTimeout) may set.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromHours(1);

    private const long MaxBodySizeCap = 64L * 1024 * 1024 * 1024;
    private static readonly string[] HealthTuning = [HealthInterval, HealthTimeout, HealthThreshold];
    private static readonly TimeSpan DefaultHealthInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan DefaultHealthTimeout = TimeSpan.FromSeconds(2);
    private const int DefaultHealthThreshold = 2;
    public const string DefaultRouter = "default";


    private static readonly Dictionary<string, string> LoadBalancingPolicies = new(StringComparer.OrdinalIgnoreCase)
    {
        ["round-robin"] = "RoundRobin",
        ["least-requests"] = "LeastRequests",
        ["power-of-two-choices"] = "PowerOfTwoChoices",
        ["random"] = "Random",
        ["first"] = "FirstAlphabetical",
    };

    public static LabelParseResult Parse(IReadOnlyDictionary<string, string> labels)
    {
        var errors = ImmutableArray.CreateBuilder<string>();
        var warnings = ImmutableArray.CreateBuilder<string>();

        if (!labels.TryGetValue(Enable, out var enableValue))
        {
            // Only listed when the operator turned Traefik's labels on (SwarmEdge:Discovery:TraefikLabels).
            return labels.Keys.Any(TraefikLabels.IsTraefikKey) ? ParseTraefik(labels) : new LabelParseResult(false, null, [], []);
        }

        if (!bool.TryParse(enableValue.Trim(), out var enabled))
        {
            errors.Add(Describe(Enable, enableValue, "must be true or false"));
            return new LabelParseResult(false, null, errors.ToImmutable(), []);
        }

        if (!enabled)
        {
            return new LabelParseResult(false, null, [], []);
        }

        var network = labels.TryGetValue(Network, out var networkValue) ? ParseNetwork(networkValue, errors) : null;
        var tcp = ParseTcp(labels, errors);
        var isTcpService = labels.Keys.Any(k => k.StartsWith(TcpPrefix, StringComparison.Ordinal));
        var routerPorts = labels.Keys.Any(k => k.StartsWith(RoutersPrefix, StringComparison.Ordinal) && k.EndsWith(".port", StringComparison.Ordinal));
        var middlewares = MiddlewareLabelParser.Parse(labels, errors);
        WarnAboutUnknownKeys(labels, warnings);

        if (!isTcpService && !labels.Keys.Any(k => k.StartsWith(HttpPrefix, StringComparison.Ordinal))
            && labels.Keys.Any(k => k.StartsWith(MiddlewaresPrefix, StringComparison.Ordinal)))
        {
            // Declares middlewares for its tenant's routes and routes nothing itself (an auth service, say).
            var declaring = errors.Count == 0 ? new ServiceRouting(null, network, null, [], Middlewares: middlewares) : null;
            return new LabelParseResult(true, declaring, errors.ToImmutable(), warnings.ToImmutable());
        }

        if (isTcpService && !labels.ContainsKey(HttpPort) && !routerPorts)
        {
            // A TCP-only service: swarmedge.http.* labels would do nothing.
            foreach (var key in labels.Keys.Where(k => k.StartsWith(HttpPrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            {
                warnings.Add($"label {key} has no effect without {HttpPort}");
            }

            var tcpOnly = errors.Count == 0 ? new ServiceRouting(null, network, null, [], TcpRoutes: tcp, Middlewares: middlewares) : null;
            return new LabelParseResult(true, tcpOnly, errors.ToImmutable(), warnings.ToImmutable());
        }

        var policy = ParseLoadBalancing(labels, errors);
        // Every router's limits unless it sets its own.
        var maxBodySize = ParseMaxBodySize(MaxBodySize, labels, errors);
        var timeout = ParseResponseTimeout(ResponseTimeout, labels, errors);
        var routes = ParseRoutes(labels, maxBodySize, timeout, errors, warnings);
        // The service's HTTP port is needed unless every route names its own.
        var port = labels.ContainsKey(HttpPort) || routes.Any(r => r.Port is null) ? ParsePort(labels, errors) : (int?)null;
        var retry = ParseRetry(labels, errors);
        var healthCheck = ParseHealthCheck(labels, errors, warnings);
        var stallTimeout = ParseStallTimeout(labels, errors);
        var rateLimit = ParseRateLimit(labels, errors);
        var protocol = ParseProtocol(labels, errors);
        var sticky = ParseSticky(labels, errors, warnings);

        var routing = errors.Count == 0
            ? new ServiceRouting(port, network, policy, routes, retry, healthCheck, tcp, stallTimeout, rateLimit, protocol, middlewares, sticky)
            : null;
        return new LabelParseResult(true, routing, errors.ToImmutable(), warnings.ToImmutable());
    }

    private static int ParsePort(IReadOnlyDictionary<string, string> labels, ImmutableArray<string>.Builder errors)
    {
        if (!labels.TryGetValue(HttpPort, out var value))
        {
            errors.Add($"label {HttpPort} is missing: it names the port the service's tasks listen on");
            return 0;
        }

        return ParsePortValue(HttpPort, value, errors);
    }

    /// <summary>
    /// The TCP routes: swarmedge.tcp.port and swarmedge.tcp.entrypoint (the default router), and
    /// swarmedge.tcp.routers.&lt;name&gt;.port and .entrypoint; in each router both or neither. One service's routers
    /// cannot share an entrypoint: a connection to it could go to either port.
    /// </summary>
    private static ImmutableArray<TcpRoute> ParseTcp(IReadOnlyDictionary<string, string> labels, ImmutableArray<string>.Builder errors)
    {
        var routes = ImmutableArray.CreateBuilder<TcpRoute>();
        if (labels.ContainsKey(TcpPort) || labels.ContainsKey(TcpEntrypoint))
        {
            if (ParseTcpRouter(TcpRoute.DefaultName, TcpPort, TcpEntrypoint, TcpSni, labels, errors) is { } route)
            {
                routes.Add(route);
            }
        }

        foreach (var (lower, spelled) in ReadRouters(labels, TcpRoutersPrefix, TcpRouterKeys, errors))
        {
            var prefix = $"{TcpRoutersPrefix}{spelled}.";
            if (ParseTcpRouter(lower, prefix + "port", prefix + "entrypoint", prefix + "sni", labels, errors) is { } route)
            {
                routes.Add(route);
            }
        }

        // Routers may share an entrypoint when TLS server names tell their connections apart.
        foreach (var shared in routes.GroupBy(r => r.Entrypoint).Where(g => g.Count() > 1))
        {
            var names = shared.SelectMany(r => r.Sni).ToList();
            if (shared.Any(r => r.Sni.IsEmpty) || names.Count != names.Distinct().Count())
            {
                errors.Add($"TCP routers {string.Join(", ", shared.Select(r => $"'{r.Name}'"))} share entrypoint {shared.Key}: " +
                           $"each router needs an entrypoint of its own, or SNI names ({TcpSni}) that tell them apart");
            }
        }

        foreach (var key in labels.Keys.Where(k => k.StartsWith(TcpPrefix, StringComparison.Ordinal)
                                                   && k is not (TcpPort or TcpEntrypoint or TcpSni)
                                                   && !k.StartsWith(TcpRoutersPrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            errors.Add(Describe(key, labels[key], $"unknown TCP key: a service takes {TcpPort}, {TcpEntrypoint}, {TcpSni} and {TcpRoutersPrefix}<name>.port/.entrypoint/.sni"));
        }

        return routes.ToImmutable();
    }

    private static TcpRoute? ParseTcpRouter(
        string name, string portKey, string entrypointKey, string sniKey, IReadOnlyDictionary<string, string> labels, ImmutableArray<string>.Builder errors)
    {
        var sni = ImmutableArray<string>.Empty;
        if (labels.TryGetValue(sniKey, out var sniValue))
        {
            sni = ParseHosts(sniKey, sniValue, errors);
            if (sni.Any(h => h.Contains(':')))
            {
                errors.Add(Describe(sniKey, sniValue, "server names take no port"));
            }
        }

        var hasPort = labels.TryGetValue(portKey, out var portValue);
        var hasEntrypoint = labels.TryGetValue(entrypointKey, out var entrypointValue);
        if (!hasPort || !hasEntrypoint)
        {
            errors.Add(hasPort
                ? $"label {entrypointKey} is missing: it names the edge port whose connections go to {portKey}"
                : $"label {portKey} is missing: it names the port the service's tasks accept connections on");
            return null;
        }

        var port = ParsePortValue(portKey, portValue!, errors);
        var entrypoint = ParsePortValue(entrypointKey, entrypointValue!, errors);
        return port > 0 && entrypoint > 0 ? new TcpRoute(port, entrypoint, name, sni) : null;
    }

    /// <summary>
    /// Router names under a prefix ("swarmedge.http.routers."), lower case to the spelling the labels use.
    /// Names are compared ignoring case (YARP's route IDs are); "default" is the unnamed router's.
    /// </summary>
    private static SortedDictionary<string, string> ReadRouters(
        IReadOnlyDictionary<string, string> labels, string prefix, string[] keys, ImmutableArray<string>.Builder errors)
    {
        var routers = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in labels.Keys.Order(StringComparer.Ordinal))
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = key[prefix.Length..];
            var dot = rest.LastIndexOf('.');
            var name = dot > 0 ? rest[..dot] : "";
            var field = dot > 0 ? rest[(dot + 1)..] : rest;
            if (!keys.Contains(field))
            {
                errors.Add(Describe(key, labels[key], $"unknown router key: a router takes {string.Join(", ", keys)}"));
                continue;
            }

            if (!RouterNameRegex().IsMatch(name) || name.Equals(DefaultRouter, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add(Describe(key, labels[key], "router names use letters, digits, '-' and '_' and are not 'default'"));
                continue;
            }

            var lower = name.ToLowerInvariant();
            if (routers.TryGetValue(lower, out var spelled) && spelled != name)
            {
                errors.Add(Describe(key, labels[key], $"router '{name}' differs from router '{spelled}' only in case; router names ignore case"));
                continue;
            }

            routers[lower] = name;
        }

        return routers;
    }

    private static int ParsePortValue(string key, string value, ImmutableArray<string>.Builder errors)
    {
        if (int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535)
        {
            return port;
        }

        errors.Add(Describe(key, value, "must be a port number from 1 to 65535"));
        return 0;
    }

    private static string? ParseNetwork(string value, ImmutableArray<string>.Builder errors)
    {
        var network = value.Trim();
        if (network.Length == 0 || network.Any(char.IsWhiteSpace))
        {
            errors.Add(Describe(Network, value, "must be the name or ID of one network the service is on"));
            return null;
        }

        return network;
    }

    private static string? ParseLoadBalancing(IReadOnlyDictionary<string, string> labels, ImmutableArray<string>.Builder errors)
    {
        if (!labels.TryGetValue(HttpLoadBalancing, out var value))
        {
            return null;
        }

        if (LoadBalancingPolicies.TryGetValue(value.Trim(), out var policy))
        {
            return policy;
        }

        errors.Add(Describe(HttpLoadBalancing, value, $"must be one of {string.Join(", ", LoadBalancingPolicies.Keys)}"));
        return null;
    }

    private static RetrySettings? ParseRetry(IReadOnlyDictionary<string, string> labels, ImmutableArray<string>.Builder errors)
    {
        int? attempts = null;
        string? methods = null;
        if (labels.TryGetValue(RetryAttempts, out var attemptsValue))
        {
            if (int.TryParse(attemptsValue.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 10)
            {
                attempts = n;
            }
            else
            {
                errors.Add(Describe(RetryAttempts, attemptsValue, "must be a whole number from 1 (no retry) to 10"));
            }
        }

        if (labels.TryGetValue(RetryMethods, out var methodsValue))
        {
            var list = methodsValue.Split(',', StringSplitOptions.TrimEntries);
            if (list.All(m => HttpToken.IsMethod(m)))
            {
                methods = string.Join(",", list.Select(m => m.ToUpperInvariant()).Distinct());
            }
            else
            {
                errors.Add(Describe(RetryMethods, methodsValue, "must be a comma-separated list of HTTP methods, such as GET,HEAD,PUT"));
            }
        }

        return attempts is null && methods is null ? null : new RetrySettings(attempts, methods);
    }

    private static ActiveHealthCheck? ParseHealthCheck(
        IReadOnlyDictionary<string, string> labels,
        ImmutableArray<string>.Builder errors,
        ImmutableArray<string>.Builder warnings)
    {
        if (!labels.TryGetValue(HealthPath, out var pathValue))
        {
            foreach (var key in HealthTuning.Where(labels.ContainsKey))
            {
                warnings.Add($"label {key} has no effect without {HealthPath}");
            }

            return null;
        }

        var path = pathValue.Trim();
        if (!PathRegex().IsMatch(path))
        {
            errors.Add(Describe(HealthPath, pathValue, "must be a path that starts with '/' and holds no spaces, '{', '}', '?', '#', '*' or '//'"));
        }

        var interval = ParseDuration(labels, HealthInterval, DefaultHealthInterval, errors);
        var timeout = ParseDuration(labels, HealthTimeout, DefaultHealthTimeout, errors);
        var threshold = DefaultHealthThreshold;
        if (labels.TryGetValue(HealthThreshold, out var thresholdValue)
            && !(int.TryParse(thresholdValue.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out threshold) && threshold is >= 1 and <= 100))
        {
            errors.Add(Describe(HealthThreshold, thresholdValue, "must be a whole number from 1 to 100"));
        }

        return new ActiveHealthCheck(path, interval, timeout, threshold);
    }

    /// <summary>
    /// How long a task of this service may answer nothing while its peers answer before its waiting requests are
    /// retried elsewhere (see StallPolicy); 0 turns that off for the service. Null: the configured default.
    /// </summary>
    private static TimeSpan? ParseStallTimeout(IReadOnlyDictionary<string, string> labels, ImmutableArray<string>.Builder errors)
    {
        if (!labels.TryGetValue(StallTimeout, out var value))
        {
            return null;
        }

        if (value.Trim() == "0")
        {
            return TimeSpan.Zero;
        }

        if (TryParseDuration(value) is { } timeout)
        {
            return timeout;
        }

        errors.Add(Describe(StallTimeout, value, "must be 0 (off) or a duration from 100ms to 1h, such as 500ms, 5s or 1m30s"));
        return null;
    }

    /// <summary>"10MB", "512k", "1GiB", "1048576": 1024-based units, from 1 byte to 64 GiB.</summary>
    private static long? ParseMaxBodySize(string key, IReadOnlyDictionary<string, string> labels, ImmutableArray<string>.Builder errors)
    {
        if (!labels.TryGetValue(key, out var value))
        {
            return null;
        }

        var match = SizeRegex().Match(value.Trim());
        if (match.Success && long.TryParse(match.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            var unit = match.Groups["u"].Value.ToLowerInvariant();
            var multiplier = unit.Length == 0 || unit == "b" ? 1L : unit[0] switch { 'k' => 1L << 10, 'm' => 1L << 20, _ => 1L << 30 };
            if (n >= 1 && n <= MaxBodySizeCap / multiplier)
            {
                return n * multiplier;
            }
        }

        errors.Add(Describe(key, value, "must be a size from 1 byte to 64GiB, such as 1048576, 512KB, 10MB or 1GiB"));
        return null;
    }

    /// <summary>How long a task may send nothing: a duration from 100 ms to 1 h.</summary>
    private static TimeSpan? ParseResponseTimeout(string key, IReadOnlyDictionary<string, string> labels, ImmutableArray<string>.Builder errors)
    {
        if (!labels.TryGetValue(key, out var value))
        {
            return null;
        }

        if (TryParseDuration(value) is { } timeout)
        {
            return timeout;
        }

        errors.Add(Describe(key, value, "must be a duration from 100ms to 1h, such as 500ms, 30s or 5m"));
        return null;
    }

    /// <summary>http1 (default), h2c (HTTP/2 without TLS: gRPC), https (TLS to the task).</summary>
    private static TaskProtocol ParseProtocol(IReadOnlyDictionary<string, string> labels, ImmutableArray<string>.Builder errors)
    {
        if (!labels.TryGetValue(Protocol, out var value))
        {
            return TaskProtocol.Http1;
        }

        switch (value.Trim().ToLowerInvariant())
        {
            case "http1" or "http":
                return TaskProtocol.Http1;
            case "h2c" or "grpc":
                return TaskProtocol.H2c;
            case "https":
                return TaskProtocol.Https;
            default:
                errors.Add(Describe(Protocol, value, "must be http1, h2c (HTTP/2 without TLS, as gRPC servers listen) or https (TLS to the task)"));
                return TaskProtocol.Http1;
        }
    }

    /// <summary>swarmedge.http.sticky=true, with an optional cookie name (default: one per service), SameSite and Secure.</summary>
    private static StickySessions? ParseSticky(IReadOnlyDictionary<string, string> labels, ImmutableArray<string>.Builder errors, ImmutableArray<string>.Builder warnings)
    {
        var on = false;
        if (labels.TryGetValue(Sticky, out var value) && !bool.TryParse(value.Trim(), out on))
        {
            errors.Add(Describe(Sticky, value, "must be true or false"));
            return null;
        }

        if (!on)
        {
            foreach (var key in new[] { StickyCookie, StickySameSite, StickySecure }.Where(labels.ContainsKey))
            {
                warnings.Add($"label {key} has no effect without {Sticky}=true");
            }

            return null;
        }

        // Empty: one cookie per service (ProxyConfigBuilder names it), so two services on one host keep theirs apart.
        string? cookie = null;
        if (labels.TryGetValue(StickyCookie, out var cookieValue))
        {
            cookie = cookieValue.Trim();
            if (!CookieNameRegex().IsMatch(cookie))
            {
                errors.Add(Describe(StickyCookie, cookieValue, "must be a cookie name of letters, digits, '-', '_' and '.' (up to 64)"));
                return null;
            }
        }

        var sameSite = "Lax";
        if (labels.TryGetValue(StickySameSite, out var sameSiteValue))
        {
            sameSite = sameSiteValue.Trim().ToLowerInvariant() switch { "lax" => "Lax", "strict" => "Strict", "none" => "None", _ => "" };
            if (sameSite.Length == 0)
            {
                errors.Add(Describe(StickySameSite, sameSiteValue, "must be lax, strict or none"));
                return null;
            }
        }

        bool? secure = null;
        if (labels.TryGetValue(StickySecure, out var secureValue))
        {
            if (!bool.TryParse(secureValue.Trim(), out var s))
            {
                errors.Add(Describe(StickySecure, secureValue, "must be true or false"));
                return null;
            }

            secure = s;
        }

        return new StickySessions(cookie ?? "", sameSite, secure);
    }

    /// <summary>"100/s", "600/m": requests per client address, refilled over the period, at most that many at once.</summary>
    private static RequestRate? ParseRateLimit(IReadOnlyDictionary<string, string> labels, ImmutableArray<string>.Builder errors)
    {
        if (!labels.TryGetValue(RateLimit, out var value))
        {
            return null;
        }

        if (TryParseRate(value) is { } rate)
        {
            return rate;
        }

        errors.Add(Describe(RateLimit, value, "must be requests per client address per second or minute, such as 100/s or 600/m (1 to 1000000)"));
        return null;
    }

    /// <summary>"100/s", "600/m": 1 to 1000000 requests per second or minute, else null.</summary>
    internal static RequestRate? TryParseRate(string value)
    {
        var match = RateRegex().Match(value.Trim());
        return match.Success && int.TryParse(match.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 1_000_000
            ? new RequestRate(n, match.Groups["p"].Value == "s" ? TimeSpan.FromSeconds(1) : TimeSpan.FromMinutes(1))
            : null;
    }

    private static TimeSpan ParseDuration(
        IReadOnlyDictionary<string, string> labels, string key, TimeSpan fallback, ImmutableArray<string>.Builder errors)
    {
        if (!labels.TryGetValue(key, out var value))
        {
            return fallback;
        }

        if (TryParseDuration(value) is { } duration)
        {
            return duration;
        }

        errors.Add(Describe(key, value, "must be a duration from 100ms to 1h, such as 500ms, 5s or 1m30s"));
        return fallback;
    }

    /// <summary>Docker-style durations: "500ms", "5s", "1m30s"; from 100 ms to 1 h (or the bounds given), else null.</summary>
    internal static TimeSpan? TryParseDuration(string value, TimeSpan? min = null, TimeSpan? max = null)
    {
        var match = DurationRegex().Match(value.Trim());
        if (!match.Success)
        {
            return null;
        }

        var total = TimeSpan.Zero;
        for (var i = 0; i < match.Groups["n"].Captures.Count; i++)
        {
            var n = long.Parse(match.Groups["n"].Captures[i].Value, CultureInfo.InvariantCulture);
            total += match.Groups["u"].Captures[i].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(n),
                "s" => TimeSpan.FromSeconds(n),
                "m" => TimeSpan.FromMinutes(n),
                _ => TimeSpan.FromHours(n),
            };
        }

        return total >= (min ?? TimeSpan.FromMilliseconds(100)) && total <= (max ?? MaxDuration) ? total : null;
    }

    /// <summary>A service labelled for Traefik: its labels rewritten as SwarmEdge's, then read as any service's.</summary>
    private static LabelParseResult ParseTraefik(IReadOnlyDictionary<string, string> labels)
    {
        var translation = TraefikLabels.Translate(labels);
        if (!translation.Enabled || translation.Errors.Length > 0)
        {
            return new LabelParseResult(translation.Enabled, null, translation.Errors, translation.Warnings);
        }

        var parsed = Parse(translation.Labels);
        return parsed with { Warnings = translation.Warnings.AddRange(parsed.Warnings) };
    }

    private static ImmutableArray<HttpRoute> ParseRoutes(
        IReadOnlyDictionary<string, string> labels,
        long? maxBodySize,
        TimeSpan? timeout,
        ImmutableArray<string>.Builder errors,
        ImmutableArray<string>.Builder warnings)
    {
        var routes = ImmutableArray.CreateBuilder<HttpRoute>();

        // The spelling used in the labels is kept to read them; the route is named in lower case.
        var routers = ReadRouters(labels, RoutersPrefix, NamedRouterKeys, errors);

        // The unnamed route exists when it has a rule of its own, or when there is no named router at all.
        var hasDefaultRouter = labels.ContainsKey(HttpPrefix + "host") || labels.ContainsKey(HttpPrefix + "path");
        if (hasDefaultRouter || routers.Count == 0)
        {
            routes.Add(ParseRouter(DefaultRouter, HttpPrefix, labels, errors, warnings) with { MaxRequestBodySize = maxBodySize, ResponseTimeout = timeout });
        }
        else
        {
            foreach (var key in RouterKeys.Select(k => HttpPrefix + k).Where(labels.ContainsKey))
            {
                warnings.Add($"label {key} has no effect: the service declares routers and neither {HttpPrefix}host nor {HttpPrefix}path");
            }
        }

        foreach (var (lower, spelled) in routers)
        {
            var prefix = $"{RoutersPrefix}{spelled}.";
            routes.Add(ParseRouter(lower, prefix, labels, errors, warnings) with
            {
                MaxRequestBodySize = ParseMaxBodySize(prefix + "max-body-size", labels, errors) ?? maxBodySize,
                ResponseTimeout = ParseResponseTimeout(prefix + "timeout", labels, errors) ?? timeout,
            });
        }

        return routes.ToImmutable();
    }

    private static HttpRoute ParseRouter(
        string name,
        string keyPrefix,
        IReadOnlyDictionary<string, string> labels,
        ImmutableArray<string>.Builder errors,
        ImmutableArray<string>.Builder warnings)
    {
        var hosts = ImmutableArray<string>.Empty;
        string? path = null;
        int? priority = null;
        var strip = false;

        if (labels.TryGetValue(keyPrefix + "host", out var hostValue))
        {
            hosts = ParseHosts(keyPrefix + "host", hostValue, errors);
        }

        if (labels.TryGetValue(keyPrefix + "path", out var pathValue))
        {
            path = ParsePath(keyPrefix + "path", pathValue, errors);
        }

        if (labels.TryGetValue(keyPrefix + "priority", out var priorityValue))
        {
            if (int.TryParse(priorityValue.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var p)
                && p is >= -100_000 and <= 100_000)
            {
                priority = p;
            }
            else
            {
                errors.Add(Describe(keyPrefix + "priority", priorityValue, "must be a whole number from -100000 to 100000"));
            }
        }

        var tls = ParseRouteTls(keyPrefix, labels, errors);
        var chain = labels.TryGetValue(keyPrefix + "middlewares", out var chainValue)
            ? MiddlewareLabelParser.ParseChain(keyPrefix + "middlewares", chainValue, errors)
            : [];

        // The unnamed router's task port is the service's (swarmedge.http.port); a named one may have its own.
        int? port = null;
        if (name != DefaultRouter && labels.TryGetValue(keyPrefix + "port", out var portValue))
        {
            port = ParsePortValue(keyPrefix + "port", portValue, errors) is var routerPort and > 0 ? routerPort : null;
        }

        if (labels.TryGetValue(keyPrefix + "strip-prefix", out var stripValue))
        {
            if (!bool.TryParse(stripValue.Trim(), out strip))
            {
                errors.Add(Describe(keyPrefix + "strip-prefix", stripValue, "must be true or false"));
            }
            else if (strip && path is null or "/")
            {
                warnings.Add($"label {keyPrefix}strip-prefix has no effect without a path prefix");
                strip = false;
            }
        }

        var exactPath = false;
        if (labels.TryGetValue(keyPrefix + "exact-path", out var exactValue) && !bool.TryParse(exactValue.Trim(), out exactPath))
        {
            errors.Add(Describe(keyPrefix + "exact-path", exactValue, "must be true or false"));
        }

        var methods = labels.TryGetValue(keyPrefix + "methods", out var methodsValue) ? ParseMethods(keyPrefix + "methods", methodsValue, errors) : [];
        var headers = labels.TryGetValue(keyPrefix + "headers", out var headersValue) ? ParseHeaderMatches(keyPrefix + "headers", headersValue, errors) : [];

        var hasHost = labels.ContainsKey(keyPrefix + "host");
        var hasPath = labels.ContainsKey(keyPrefix + "path");
        if (!hasHost && !hasPath && name != DefaultRouter)
        {
            errors.Add($"router '{name}' has neither {keyPrefix}host nor {keyPrefix}path: it would match nothing");
        }

        // A service with no rule at all is reached at a host made from its name, if the operator's routing
        // policy says so (SwarmEdge:Routing:DefaultHost): the catalog decides, labels cannot.
        return new HttpRoute(name, hosts, path, priority, strip, ByServiceName: !hasHost && !hasPath, Port: port, Tls: tls, MiddlewareNames: chain,
            ExactPath: exactPath, Methods: methods, Headers: headers);
    }

    /// <summary>"GET,POST": the methods a route takes (upper case, each once).</summary>
    private static EquatableArray<string> ParseMethods(string key, string value, ImmutableArray<string>.Builder errors)
    {
        var methods = value.Split(',', StringSplitOptions.TrimEntries).Select(m => m.ToUpperInvariant()).Distinct().ToList();
        if (methods.Count is 0 or > 20 || !methods.All(m => HttpToken.IsMethod(m)))
        {
            errors.Add(Describe(key, value, "must be a comma-separated list of HTTP methods, such as GET,POST"));
            return [];
        }

        return methods.ToEquatableArray();
    }

    /// <summary>"X-Env=beta; X-Canary=1": headers a request must carry with exactly those values.</summary>
    private static EquatableArray<HeaderMatch> ParseHeaderMatches(string key, string value, ImmutableArray<string>.Builder errors)
    {
        var matches = new List<HeaderMatch>();
        foreach (var entry in value.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = entry.IndexOf('=');
            var name = equals > 0 ? entry[..equals].Trim() : "";
            var expected = equals > 0 ? entry[(equals + 1)..].Trim() : "";
            if (!HttpToken.IsHeaderName(name) || expected.Length == 0 || expected.Any(char.IsControl) || matches.Any(m => m.Name.Equals(name, StringComparison.OrdinalIgnoreCase)))
            {
                errors.Add(Describe(key, value, "must be Name=value pairs separated by ';' (X-Env=beta; X-Canary=1), each header once"));
                return [];
            }

            matches.Add(new HeaderMatch(name, expected));
        }

        if (matches.Count is 0 or > 10)
        {
            errors.Add(Describe(key, value, "must name 1 to 10 headers as Name=value pairs separated by ';'"));
            return [];
        }

        return matches.ToEquatableArray();
    }

    /// <summary>scheme (both, https, http), https-redirect (true, false), hsts (0 or a duration up to 2 years), acme (true, false).</summary>
    private static RouteTls? ParseRouteTls(string keyPrefix, IReadOnlyDictionary<string, string> labels, ImmutableArray<string>.Builder errors)
    {
        var scheme = RouteScheme.Both;
        bool? redirect = null;
        TimeSpan? hsts = null;
        bool? acme = null;
        var any = false;
        if (labels.TryGetValue(keyPrefix + "scheme", out var schemeValue))
        {
            any = true;
            if (!Enum.TryParse(schemeValue.Trim(), ignoreCase: true, out scheme) || int.TryParse(schemeValue.Trim(), out _))
            {
                errors.Add(Describe(keyPrefix + "scheme", schemeValue, "must be both, https or http"));
            }
        }

        if (labels.TryGetValue(keyPrefix + "https-redirect", out var redirectValue))
        {
            any = true;
            if (bool.TryParse(redirectValue.Trim(), out var r))
            {
                redirect = r;
            }
            else
            {
                errors.Add(Describe(keyPrefix + "https-redirect", redirectValue, "must be true or false"));
            }
        }

        if (labels.TryGetValue(keyPrefix + "hsts", out var hstsValue))
        {
            any = true;
            if (hstsValue.Trim() == "0")
            {
                hsts = TimeSpan.Zero;
            }
            else if (TryParseDuration(hstsValue, TimeSpan.FromSeconds(1), TimeSpan.FromDays(730)) is { } maxAge)
            {
                hsts = maxAge;
            }
            else
            {
                errors.Add(Describe(keyPrefix + "hsts", hstsValue, "must be 0 (no header) or a max-age from 1s to 17520h (two years), such as 8760h"));
            }
        }

        if (labels.TryGetValue(keyPrefix + "acme", out var acmeValue))
        {
            any = true;
            if (bool.TryParse(acmeValue.Trim(), out var a))
            {
                acme = a;
            }
            else
            {
                errors.Add(Describe(keyPrefix + "acme", acmeValue, "must be true or false"));
            }
        }

        return any ? new RouteTls(scheme, redirect, hsts, acme) : null;
    }

    private static ImmutableArray<string> ParseHosts(string key, string value, ImmutableArray<string>.Builder errors)
    {
        var hosts = ImmutableArray.CreateBuilder<string>();
        foreach (var part in value.Split(','))
        {
            var host = part.Trim();
            if (!HostRegex().IsMatch(host))
            {
                errors.Add(Describe(key, value,
                    $"'{host}' is not a host name (letters, digits, '-', '_' and dots, optionally '*.' in front and ':port' behind)"));
                continue;
            }

            if (host.Split('.').Any(label => label.StartsWith("xn--", StringComparison.OrdinalIgnoreCase)))
            {
                errors.Add(Describe(key, value, $"'{host}' is punycode: write the host name in Unicode (the proxy matches the decoded name)"));
                continue;
            }

            if (!hosts.Contains(host, StringComparer.OrdinalIgnoreCase))
            {
                hosts.Add(host.ToLowerInvariant());
            }
        }

        return hosts.ToImmutable();
    }

    private static string? ParsePath(string key, string value, ImmutableArray<string>.Builder errors)
    {
        var path = value.Trim();
        if (!PathRegex().IsMatch(path))
        {
            errors.Add(Describe(key, value,
                "must be a path prefix that starts with '/' and holds no spaces, '{', '}', '?', '#', '*' or '//'"));
            return null;
        }

        // "/api/" and "/api" mean the same prefix: the route matches /api and everything below it.
        return path.Length > 1 ? path.TrimEnd('/') : path;
    }

    private static void WarnAboutUnknownKeys(IReadOnlyDictionary<string, string> labels, ImmutableArray<string>.Builder warnings)
    {
        foreach (var key in labels.Keys.Order(StringComparer.Ordinal))
        {
            // Router keys and swarmedge.tcp.* keys are checked where they are read (errors, not warnings).
            if (!key.StartsWith(Prefix, StringComparison.Ordinal) || key.StartsWith(RoutersPrefix, StringComparison.Ordinal)
                || key.StartsWith(TcpPrefix, StringComparison.Ordinal) || key.StartsWith(MiddlewaresPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            if (!ServiceKeys.Contains(key))
            {
                warnings.Add($"label {key} is not a SwarmEdge label and is ignored");
            }
        }
    }

    /// <summary>A host as a label may write it: a name or "*.name", with an optional ":port".</summary>
    public static bool IsHost(string host) => HostRegex().IsMatch(host);

    private static string Describe(string key, string value, string problem) => $"label {key}=\"{value}\": {problem}";

    [GeneratedRegex(@"^[A-Za-z0-9_-]+\z")]
    private static partial Regex RouterNameRegex();

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,64}\z")]
    private static partial Regex CookieNameRegex();

    [GeneratedRegex(@"^(?<n>[0-9]{1,12})\s?(?<u>|b|[kmg]|[kmg]b|[kmg]ib)\z", RegexOptions.IgnoreCase)]
    private static partial Regex SizeRegex();

    [GeneratedRegex(@"^(?<n>[0-9]{1,7})/(?<p>s|m)\z")]
    private static partial Regex RateRegex();

    [GeneratedRegex(@"^(?:(?<n>[0-9]{1,7})(?<u>ms|s|m|h))+\z")]
    private static partial Regex DurationRegex();

    [GeneratedRegex(@"^(\*\.)?[\p{L}\p{N}_]([\p{L}\p{N}_-]*[\p{L}\p{N}_])?(\.[\p{L}\p{N}_]([\p{L}\p{N}_-]*[\p{L}\p{N}_])?)*(:[0-9]{1,5})?\z")]
    private static partial Regex HostRegex();

    [GeneratedRegex(@"^(?!.*//)/[A-Za-z0-9\-._~!$&'()+,;=:@%/]*\z")]
    private static partial Regex PathRegex();
}
