using System.Collections.Immutable;
using System.Globalization;
using static SwarmEdge.LabelKeys;

namespace SwarmEdge.Catalog.Traefik;

/// <summary>Traefik labels rewritten as SwarmEdge's, with what could not be.</summary>
internal sealed record TraefikTranslation(
    bool Enabled,
    ImmutableSortedDictionary<string, string> Labels,
    ImmutableArray<string> Errors,
    ImmutableArray<string> Warnings);

/// <summary>
/// Rewrites the labels of a service labelled for Traefik's Swarm provider (v2 and v3) into SwarmEdge labels, which
/// the ordinary label parser then reads: one meaning, one set of rules (tenants, host policy, middlewares), whichever
/// spelling a team used. What would change who reaches what, or serve a middleware chain short, is an error (the
/// service keeps its last good routing); what only tunes is a warning naming the key. Nothing is dropped silently.
/// </summary>
internal static class TraefikLabels
{
    public const string Prefix = "traefik.";
    public const string Enable = "traefik.enable";

    // Entry point names of the usual Traefik configuration, and the scheme SwarmEdge serves them on.
    private static readonly Dictionary<string, string> Entrypoints = new(StringComparer.OrdinalIgnoreCase)
    {
        ["web"] = "http", ["http"] = "http", ["websecure"] = "https", ["https"] = "https",
    };

    public static bool IsTraefikKey(string key) => key.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);

    public static TraefikTranslation Translate(IReadOnlyDictionary<string, string> labels)
    {
        var errors = ImmutableArray.CreateBuilder<string>();
        var warnings = ImmutableArray.CreateBuilder<string>();
        var output = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);

        var enableKey = labels.Keys.FirstOrDefault(k => string.Equals(k, Enable, StringComparison.OrdinalIgnoreCase));
        if (enableKey is null)
        {
            return new TraefikTranslation(false, output.ToImmutable(), [], []);
        }

        if (!bool.TryParse(labels[enableKey].Trim(), out var enabled))
        {
            return new TraefikTranslation(false, output.ToImmutable(), [Describe(enableKey, labels[enableKey], "must be true or false")], []);
        }

        if (!enabled)
        {
            return new TraefikTranslation(false, output.ToImmutable(), [], []);
        }

        output[LabelKeys.Enable] = "true";
        var routers = new SortedDictionary<string, Dictionary<string, (string Key, string Value)>>(StringComparer.Ordinal);
        var services = new SortedDictionary<string, Dictionary<string, (string Key, string Value)>>(StringComparer.Ordinal);
        var middlewares = new SortedDictionary<string, SortedDictionary<string, Dictionary<string, (string Key, string Value)>>>(StringComparer.Ordinal);

        foreach (var key in labels.Keys.Where(IsTraefikKey).Order(StringComparer.Ordinal))
        {
            var value = labels[key];
            var parts = key.Split('.');
            var lower = parts.Select(p => p.ToLowerInvariant()).ToArray();
            if (key.Equals(enableKey, StringComparison.Ordinal))
            {
                continue;
            }

            if (lower.Length == 3 && lower[1] is "docker" or "swarm" && lower[2] == "network")
            {
                output[Network] = value;
            }
            else if (lower.Length == 3 && lower[1] is "docker" or "swarm" && lower[2] == "lbswarm")
            {
                warnings.Add($"label {key} has no effect: SwarmEdge always sends to the tasks themselves, never to the service's virtual IP");
            }
            else if (lower.Length >= 5 && lower[1] == "http" && lower[2] is "routers" or "services" or "middlewares")
            {
                var group = lower[2] switch { "routers" => routers, "services" => services, _ => null };
                var rest = string.Join('.', lower[4..]);
                if (group is not null)
                {
                    (group.TryGetValue(parts[3], out var options) ? options : group[parts[3]] = new(StringComparer.Ordinal))[rest] = (key, value);
                }
                else
                {
                    var kinds = middlewares.TryGetValue(parts[3], out var k) ? k : middlewares[parts[3]] = new(StringComparer.Ordinal);
                    var options = kinds.TryGetValue(lower[4], out var o) ? o : kinds[lower[4]] = new(StringComparer.Ordinal);
                    // Header names keep their spelling: customrequestheaders.X-Request-Id.
                    var option = string.Join('.', lower[5..]); // "" for traefik.http.middlewares.<name>.compress=true
                    if (lower.Length == 7 && lower[5] is "customrequestheaders" or "customresponseheaders")
                    {
                        option = $"{lower[5]}.{parts[6]}";
                    }

                    options[option] = (key, value);
                }
            }
            else if (lower.Length >= 2 && lower[1] is "tcp" or "udp")
            {
                warnings.Add($"label {key} is not supported: Traefik {lower[1].ToUpperInvariant()} routers are not translated (SwarmEdge's TCP routes use swarmedge.tcp.*)");
            }
            else
            {
                warnings.Add($"label {key} is not supported and has no effect");
            }
        }

        var ports = Services(services, output, errors, warnings);
        foreach (var (name, kinds) in middlewares)
        {
            foreach (var (kind, options) in kinds)
            {
                TraefikMiddlewares.Translate(name, kind, options, output, errors, warnings);
            }
        }

        if (routers.Count == 0 && ports.Count == 1)
        {
            // Traefik's default rule is Host(<service name>): SwarmEdge's routing policy decides that host.
            output[HttpPort] = ports.Values.Single().ToString(CultureInfo.InvariantCulture);
        }
        else if (routers.Count == 0 && ports.Count == 0 && middlewares.Count == 0)
        {
            errors.Add($"label {enableKey}: the service has no router and no traefik.http.services.<name>.loadbalancer.server.port (Swarm gives no port to detect)");
        }

        foreach (var (name, options) in routers)
        {
            Router(name, options, ports, output, errors, warnings);
        }

        return new TraefikTranslation(true, output.ToImmutable(), errors.ToImmutable(), warnings.ToImmutable());
    }

    /// <summary>The ports of the service's Traefik services; sticky sessions, health checks and the protocol are SwarmEdge's per Docker service.</summary>
    private static Dictionary<string, int> Services(
        SortedDictionary<string, Dictionary<string, (string Key, string Value)>> services,
        ImmutableSortedDictionary<string, string>.Builder output,
        ImmutableArray<string>.Builder errors,
        ImmutableArray<string>.Builder warnings)
    {
        var ports = new Dictionary<string, int>(StringComparer.Ordinal);
        var perService = new Dictionary<string, (string Key, string Value)>(StringComparer.Ordinal);
        foreach (var (name, options) in services)
        {
            foreach (var (option, (key, value)) in options)
            {
                switch (option)
                {
                    case "loadbalancer.server.port":
                        if (int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535)
                        {
                            ports[name] = port;
                        }
                        else
                        {
                            errors.Add(Describe(key, value, "must be a port number, 1-65535"));
                        }

                        break;
                    case "loadbalancer.server.scheme":
                        Set(Protocol, value.Trim().ToLowerInvariant() switch { "http" => "http1", "h2c" => "h2c", "https" => "https", _ => value }, key);
                        break;
                    case "loadbalancer.sticky.cookie":
                        Set(Sticky, value.Trim(), key);
                        break;
                    case "loadbalancer.sticky.cookie.name":
                        Set(Sticky, "true", key);
                        Set(StickyCookie, value.Trim(), key);
                        break;
                    case "loadbalancer.sticky.cookie.secure":
                        Set(StickySecure, value.Trim(), key);
                        break;
                    case "loadbalancer.sticky.cookie.samesite":
                        Set(StickySameSite, value.Trim(), key);
                        break;
                    case "loadbalancer.sticky.cookie.httponly":
                        if (!string.Equals(value.Trim(), "true", StringComparison.OrdinalIgnoreCase))
                        {
                            warnings.Add($"label {key}: SwarmEdge's affinity cookie is always HttpOnly");
                        }

                        break;
                    case "loadbalancer.healthcheck.path":
                        Set(HealthPath, value.Trim(), key);
                        break;
                    case "loadbalancer.healthcheck.interval":
                        Set(HealthInterval, value.Trim(), key);
                        break;
                    case "loadbalancer.healthcheck.timeout":
                        Set(HealthTimeout, value.Trim(), key);
                        break;
                    case "loadbalancer.passhostheader":
                        if (!string.Equals(value.Trim(), "true", StringComparison.OrdinalIgnoreCase))
                        {
                            warnings.Add($"label {key} is not supported: SwarmEdge always passes the client's Host to the task");
                        }

                        break;
                    default:
                        warnings.Add($"label {key} is not supported and has no effect");
                        break;
                }
            }
        }

        return ports;

        // SwarmEdge keeps these per Docker service: two Traefik services of one Docker service must agree.
        void Set(string swarmEdgeKey, string value, string key)
        {
            if (perService.TryGetValue(swarmEdgeKey, out var earlier) && output[swarmEdgeKey] != value)
            {
                errors.Add(Describe(key, value, $"differs from {earlier.Key}: SwarmEdge applies it to the whole Docker service"));
                return;
            }

            perService[swarmEdgeKey] = (key, value);
            output[swarmEdgeKey] = value;
        }
    }

    private static void Router(
        string name,
        Dictionary<string, (string Key, string Value)> options,
        Dictionary<string, int> ports,
        ImmutableSortedDictionary<string, string>.Builder output,
        ImmutableArray<string>.Builder errors,
        ImmutableArray<string>.Builder warnings)
    {
        var scheme = "http";
        var https = false;
        var acme = false;
        string? priority = null;
        string? middlewareList = null;
        int? port = null;
        ImmutableArray<ImmutableArray<TraefikMatcher>> terms = [];
        var hasRule = false;
        var errorsBefore = errors.Count;

        foreach (var (option, (key, value)) in options)
        {
            switch (option)
            {
                case "rule":
                    hasRule = true;
                    var (parsed, error) = TraefikRule.Parse(value);
                    if (error is not null)
                    {
                        errors.Add(Describe(key, value, error));
                    }

                    terms = parsed;
                    break;
                case "rulesyntax":
                    if (value.Trim() is not ("v2" or "v3"))
                    {
                        errors.Add(Describe(key, value, "must be v2 or v3"));
                    }

                    break;
                case "priority":
                    priority = value.Trim();
                    break;
                case "service":
                    var service = ProviderLocal(key, value, errors);
                    if (service is not null && ports.TryGetValue(service, out var servicePort))
                    {
                        port = servicePort;
                    }
                    else if (service is not null)
                    {
                        errors.Add(Describe(key, value, "names no traefik.http.services.<name>.loadbalancer.server.port of this service (a router sends to its own service's tasks)"));
                    }

                    break;
                case "middlewares":
                    var names = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                        .Select(n => ProviderLocal(key, n, errors, middleware: true)).ToList();
                    middlewareList = names.All(n => n is not null) ? string.Join(',', names) : null;
                    break;
                case "entrypoints":
                    var schemes = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var entrypoint in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                    {
                        if (Entrypoints.TryGetValue(entrypoint, out var s))
                        {
                            schemes.Add(s);
                        }
                        else
                        {
                            warnings.Add($"label {key}: entry point '{entrypoint}' is not one of SwarmEdge's (web and http are its HTTP entrypoint, websecure and https its HTTPS one)");
                        }
                    }

                    scheme = schemes.Count switch { 0 => scheme, 1 => schemes.Single(), _ => "both" };
                    if (schemes.Count == 0)
                    {
                        errors.Add(Describe(key, value, "names no entry point SwarmEdge serves"));
                    }

                    break;
                case "tls":
                    https |= string.Equals(value.Trim(), "true", StringComparison.OrdinalIgnoreCase);
                    break;
                case "tls.certresolver":
                    https = true;
                    acme = true;
                    break;
                default:
                    if (option.StartsWith("tls.", StringComparison.Ordinal))
                    {
                        https = true;
                        warnings.Add($"label {key} is not supported: SwarmEdge serves the certificate of the route's hosts (files or ACME)");
                    }
                    else
                    {
                        warnings.Add($"label {key} is not supported and has no effect");
                    }

                    break;
            }
        }

        if (!options.ContainsKey("entrypoints"))
        {
            // A router without entry points is on all of them: plain HTTP on web, TLS on websecure.
            scheme = "both";
        }

        if (https)
        {
            // A TLS router answers TLS only.
            scheme = "https";
        }

        if (port is null && !options.ContainsKey("service"))
        {
            if (ports.Count == 1)
            {
                port = ports.Values.Single();
            }
            else
            {
                errors.Add($"router {name}: {(ports.Count == 0 ? "no traefik.http.services.<name>.loadbalancer.server.port" : "several Traefik services and no .service label")} says which port of the tasks it sends to");
            }
        }

        if (!hasRule)
        {
            errors.Add($"router {name}: no rule (SwarmEdge does not make up Traefik's default Host(<service name>) rule for a named router)");
        }

        var routes = errors.Count == errorsBefore ? Routes(name, options["rule"].Key, terms, errors) : [];
        foreach (var route in routes)
        {
            var prefix = $"{RoutersPrefix}{route.Name}.";
            if (route.Hosts.Count > 0)
            {
                output[prefix + "host"] = string.Join(',', route.Hosts);
            }

            if (route.Path is not null)
            {
                output[prefix + "path"] = route.Path;
            }

            if (route.ExactPath)
            {
                output[prefix + "exact-path"] = "true";
            }

            if (route.Methods.Length > 0)
            {
                output[prefix + "methods"] = route.Methods;
            }

            if (route.Headers.Length > 0)
            {
                output[prefix + "headers"] = route.Headers;
            }

            output[prefix + "port"] = port!.Value.ToString(CultureInfo.InvariantCulture);
            output[prefix + "scheme"] = scheme;
            if (acme)
            {
                output[prefix + "acme"] = "true";
            }

            if (priority is not null)
            {
                output[prefix + "priority"] = priority;
            }

            if (!string.IsNullOrEmpty(middlewareList))
            {
                output[prefix + "middlewares"] = middlewareList;
            }
        }
    }

    /// <summary>A route a rule's terms make: hosts, a path (a prefix or exact), methods and headers to match.</summary>
    private sealed record TraefikRoute(string Name, List<string> Hosts, string? Path, bool ExactPath, string Methods, string Headers);

    /// <summary>
    /// A SwarmEdge route per path, methods and headers of the rule's terms, with the hosts of every such term:
    /// Host(`a`) || Host(`b`) is one route, (Host(`a`) &amp;&amp; PathPrefix(`/x`)) || Host(`b`) two (the router's name,
    /// then name-2). Path is exact, PathPrefix a prefix (at a '/' boundary); Method(`GET`) || Method(`POST`) in v2's
    /// one matcher or as terms gives one route per method; Header(`name`, `value`) (v2: Headers) an exact value.
    /// </summary>
    private static List<TraefikRoute> Routes(
        string router, string ruleKey, ImmutableArray<ImmutableArray<TraefikMatcher>> terms, ImmutableArray<string>.Builder errors)
    {
        var groups = new List<(string? Path, bool Exact, string Methods, string Headers, List<string>? Hosts)>();
        foreach (var term in terms)
        {
            string? host = null;
            string? path = null;
            var exact = false;
            string? method = null;
            var headers = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var matcher in term)
            {
                var argument = matcher.Arguments[0];
                string? problem = matcher switch
                {
                    { Negated: true } => $"{matcher}: negation is not supported (SwarmEdge routes match what is there, not what is absent)",
                    { Name: "Host" or "HostHeader" } when argument.Contains('*') || argument.Contains(',') || argument.Length == 0 =>
                        $"{matcher}: a host name is matched literally (HostRegexp is for patterns)",
                    { Name: "Host" or "HostHeader" } when host is not null && !string.Equals(host, argument, StringComparison.OrdinalIgnoreCase) =>
                        $"{matcher} && Host(`{host}`) can match no request",
                    { Name: "PathPrefix" or "Path" } when argument.Contains('{') => $"{matcher}: path templates are not supported",
                    { Name: "PathPrefix" or "Path" } when !argument.StartsWith('/') => $"{matcher}: a path starts with /",
                    { Name: "PathPrefix" or "Path" } when path is not null => $"{matcher}: one Path or PathPrefix per route",
                    { Name: "Method" } when !HttpToken.IsMethod(argument) => $"{matcher}: not an HTTP method",
                    { Name: "Method" } when method is not null && !string.Equals(method, argument, StringComparison.OrdinalIgnoreCase) =>
                        $"{matcher} && Method(`{method}`) can match no request",
                    { Name: "Header" or "Headers" } when matcher.Arguments.Length != 2 => $"{matcher}: takes a header name and a value",
                    { Name: "Header" or "Headers" } when !HttpToken.IsHeaderName(argument) || matcher.Arguments[1].Length == 0
                                                         || matcher.Arguments[1].Any(c => char.IsControl(c) || c == ';') =>
                        $"{matcher}: a header name and a value without ';' or control characters",
                    { Name: "Header" or "Headers" } when headers.TryGetValue(argument, out var other) && other != matcher.Arguments[1] =>
                        $"{matcher} && Header(`{argument}`, `{other}`) can match no request",
                    { Name: "Host" or "HostHeader" or "PathPrefix" or "Path" or "Method" or "Header" or "Headers" } => null,
                    _ => $"{matcher}: the {matcher.Name} matcher is not supported (Host, Path, PathPrefix, Method and Header are)",
                };
                if (problem is not null)
                {
                    errors.Add($"label {ruleKey}: {problem}");
                    return [];
                }

                switch (matcher.Name)
                {
                    case "Path" or "PathPrefix":
                        (path, exact) = (argument, matcher.Name == "Path");
                        break;
                    case "Method":
                        method = argument.ToUpperInvariant();
                        break;
                    case "Header" or "Headers":
                        headers[argument] = matcher.Arguments[1];
                        break;
                    default:
                        host = argument.ToLowerInvariant();
                        break;
                }
            }

            // A term that names neither host nor path matches every path (of every host the policy lets it).
            path ??= host is null ? "/" : null;
            var methods = method ?? "";
            var headerList = string.Join("; ", headers.Select(h => $"{h.Key}={h.Value}"));
            var group = groups.FindIndex(g => g.Path == path && g.Exact == exact && g.Methods == methods && g.Headers == headerList);
            if (group < 0)
            {
                groups.Add((path, exact, methods, headerList, host is null ? null : []));
                group = groups.Count - 1;
            }

            // A term without a host matches on every host, and so covers the same match's hosted terms.
            var hosts = groups[group].Hosts;
            if (host is null)
            {
                groups[group] = groups[group] with { Hosts = null };
            }
            else if (hosts is not null && !hosts.Contains(host))
            {
                hosts.Add(host);
            }
        }

        return [.. groups.Select((g, i) => new TraefikRoute(i == 0 ? router : $"{router}-{i + 1}", g.Hosts ?? [], g.Path, g.Exact, g.Methods, g.Headers))];
    }

    /// <summary>
    /// A middleware or service named in a router: its own name, or name@docker / name@swarm (this provider); a
    /// middleware may also be name@file, one of the routes file's (SwarmEdge:Discovery:RoutesFile).
    /// </summary>
    private static string? ProviderLocal(string key, string value, ImmutableArray<string>.Builder errors, bool middleware = false)
    {
        var at = value.IndexOf('@');
        if (at < 0)
        {
            return value.Trim();
        }

        var provider = value[(at + 1)..].Trim();
        if (provider is "docker" or "swarm")
        {
            return value[..at].Trim();
        }

        if (middleware && provider == "file")
        {
            return value.Trim();
        }

        errors.Add(Describe(key, value, middleware
            ? $"'{provider}' is not SwarmEdge's provider: only names declared by labels (@docker, @swarm) and by the routes file (@file) are"
            : $"'{provider}' is not SwarmEdge's provider: only names declared by labels (@docker, @swarm) are"));
        return null;
    }

    internal static string Describe(string key, string value, string problem) => $"label {key}=\"{value}\": {problem}";
}
