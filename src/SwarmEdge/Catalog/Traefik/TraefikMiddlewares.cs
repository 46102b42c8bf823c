using System.Collections.Immutable;
using System.Globalization;
using static SwarmEdge.LabelKeys;

namespace SwarmEdge.Catalog.Traefik;

/// <summary>
/// Traefik's middlewares (traefik.http.middlewares.&lt;name&gt;.&lt;kind&gt;.&lt;option&gt;) as SwarmEdge middlewares of the same
/// name. A kind or an option SwarmEdge cannot honour is an error: a chain is never served with less than it asked for.
/// </summary>
internal static class TraefikMiddlewares
{
    // The headers middleware's security options, as the response headers Traefik sets for them.
    private static readonly Dictionary<string, string> SecurityHeaders = new(StringComparer.Ordinal)
    {
        ["customframeoptionsvalue"] = "X-Frame-Options",
        ["referrerpolicy"] = "Referrer-Policy",
        ["contentsecuritypolicy"] = "Content-Security-Policy",
        ["permissionspolicy"] = "Permissions-Policy",
    };

    public static void Translate(
        string name,
        string kind,
        Dictionary<string, (string Key, string Value)> options,
        ImmutableSortedDictionary<string, string>.Builder output,
        ImmutableArray<string>.Builder errors,
        ImmutableArray<string>.Builder warnings)
    {
        var prefix = $"{MiddlewaresPrefix}{name}.";
        switch (kind)
        {
            case "stripprefix":
                Map(options, prefix + "strip-prefix.", new() { ["prefixes"] = "prefixes" }, ["forceslash"], output, errors, warnings);
                break;
            case "addprefix":
                Map(options, prefix + "add-prefix.", new() { ["prefix"] = "prefix" }, [], output, errors, warnings);
                break;
            case "redirectregex":
                Map(options, prefix + "redirect-regex.", new() { ["regex"] = "regex", ["replacement"] = "replacement", ["permanent"] = "permanent" }, [], output, errors, warnings);
                break;
            case "redirectscheme":
                RedirectScheme(prefix, options, output, errors);
                break;
            case "ipallowlist" or "ipwhitelist":
                Map(options, prefix + "ip-allow.", new() { ["sourcerange"] = "source-range" }, ["ipstrategy.depth", "ipstrategy.excludedips", "ipstrategy.ipv6subnet", "rejectstatuscode"], output, errors, warnings,
                    "SwarmEdge takes the client's address from the operator's SwarmEdge:Proxy:TrustedProxies, never from a label");
                break;
            case "basicauth":
                if (options.TryGetValue("users", out var users))
                {
                    errors.Add(TraefikLabels.Describe(users.Key, "...", "passwords are not taken from labels: put the htpasswd lines in a Docker secret given to the edge and name it in usersfile"));
                    options.Remove("users");
                }

                Map(options, prefix + "basic-auth.", new() { ["usersfile"] = "users-file", ["realm"] = "realm", ["removeheader"] = "remove-header" }, [], output, errors, warnings);
                break;
            case "forwardauth":
                Map(options, prefix + "forward-auth.", new() { ["address"] = "address", ["authresponseheaders"] = "auth-response-headers", ["authrequestheaders"] = "auth-request-headers" }, ["trustforwardheader"], output, errors, warnings,
                    "SwarmEdge sets X-Forwarded-* itself, believing a client's only from SwarmEdge:Proxy:TrustedProxies");
                break;
            case "headers" when options.Keys.Any(o => o.StartsWith("accesscontrol", StringComparison.Ordinal)):
                Cors(prefix + "cors.", options, output, errors, warnings);
                break;
            case "headers":
                Headers(prefix + "headers.", options, output, errors);
                break;
            case "ratelimit":
                RateLimit(prefix + "rate-limit.", options, output, errors, warnings);
                break;
            case "inflightreq":
                Map(options, prefix + "in-flight.", new() { ["amount"] = "limit" }, ["sourcecriterion.requesthost"], output, errors, warnings,
                    "SwarmEdge counts a route's requests in flight together, as Traefik's default (per host) does for a route of one host");
                break;
            case "compress":
                Map(options, prefix + "compress.", new() { [""] = "", ["includedcontenttypes"] = "content-types", ["excludedcontenttypes"] = "excluded-content-types" },
                    ["minresponsebodybytes", "encodings", "defaultencoding"], output, errors, warnings, "SwarmEdge compresses with brotli or gzip, as the client accepts, whatever the size");
                break;
            case "retry":
                foreach (var (key, _) in options.Values)
                {
                    warnings.Add($"label {key} has no effect: SwarmEdge retries a request on another task by itself when a task refuses or drops it (swarmedge.http.retry.attempts, retry.methods)");
                }

                break;
            default:
                foreach (var (key, value) in options.Values)
                {
                    errors.Add(TraefikLabels.Describe(key, value, $"the {kind} middleware is not supported yet (stripprefix, addprefix, redirectregex, redirectscheme, ipallowlist, basicauth, forwardauth, headers, ratelimit, inflightreq, compress and retry are)"));
                }

                break;
        }
    }

    /// <summary>Options with a SwarmEdge equivalent are copied; the tuning ones named are warned about; any other is an error.</summary>
    private static void Map(
        Dictionary<string, (string Key, string Value)> options,
        string prefix,
        Dictionary<string, string> equivalents,
        string[] ignored,
        ImmutableSortedDictionary<string, string>.Builder output,
        ImmutableArray<string>.Builder errors,
        ImmutableArray<string>.Builder warnings,
        string? ignoredBecause = null)
    {
        foreach (var (option, (key, value)) in options)
        {
            if (equivalents.TryGetValue(option, out var swarmEdgeOption))
            {
                output[swarmEdgeOption.Length == 0 ? prefix[..^1] : prefix + swarmEdgeOption] = value;
            }
            else if (ignored.Contains(option))
            {
                warnings.Add($"label {key} has no effect{(ignoredBecause is null ? "" : ": " + ignoredBecause)}");
            }
            else
            {
                errors.Add(TraefikLabels.Describe(key, value, $"option not supported (supported: {string.Join(", ", equivalents.Keys)})"));
            }
        }
    }

    /// <summary>
    /// average requests per period (1s when absent) as a rate per second or minute; burst (Traefik's default: 1);
    /// per the value of sourcecriterion.requestheadername, or per client address.
    /// </summary>
    private static void RateLimit(
        string prefix,
        Dictionary<string, (string Key, string Value)> options,
        ImmutableSortedDictionary<string, string>.Builder output,
        ImmutableArray<string>.Builder errors,
        ImmutableArray<string>.Builder warnings)
    {
        var period = TimeSpan.FromSeconds(1);
        if (options.TryGetValue("period", out var p))
        {
            if (TraefikDuration(p.Value) is not { } parsed)
            {
                errors.Add(TraefikLabels.Describe(p.Key, p.Value, "must be a duration such as 1s, 1m or 10 (seconds)"));
                return;
            }

            period = parsed;
        }

        if (!options.TryGetValue("average", out var a) || !long.TryParse(a.Value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var average) || average < 1)
        {
            errors.Add(a.Key is null ? $"middleware {prefix[MiddlewaresPrefix.Length..^12]}: ratelimit needs average (requests per period)" : TraefikLabels.Describe(a.Key, a.Value, "must be a whole number of requests, at least 1 (0, no limit: leave the middleware out)"));
            return;
        }

        // SwarmEdge's rates are whole requests per second or per minute.
        var perMinute = average * 60 / period.TotalSeconds;
        var rate = perMinute % 60 == 0 && perMinute / 60 <= 1_000_000 ? $"{perMinute / 60:0}/s" : perMinute == Math.Floor(perMinute) && perMinute <= 1_000_000 ? $"{perMinute:0}/m" : null;
        if (rate is null)
        {
            errors.Add(TraefikLabels.Describe(a.Key, a.Value, $"{average} per {period.TotalSeconds:0.###}s is not a whole number of requests per second or minute (up to 1000000)"));
            return;
        }

        output[prefix + "rate"] = rate;
        output[prefix + "burst"] = options.TryGetValue("burst", out var b) ? b.Value : "1";
        foreach (var (option, (key, value)) in options.Where(o => o.Key is not ("average" or "period" or "burst")))
        {
            switch (option)
            {
                case "sourcecriterion.requestheadername":
                    output[prefix + "header"] = value;
                    break;
                case "sourcecriterion.ipstrategy.depth" or "sourcecriterion.ipstrategy.excludedips" or "sourcecriterion.ipstrategy.ipv6subnet":
                    warnings.Add($"label {key} has no effect: SwarmEdge takes the client's address from the operator's SwarmEdge:Proxy:TrustedProxies, never from a label (and counts IPv6 clients by /64)");
                    break;
                default:
                    errors.Add(TraefikLabels.Describe(key, value, "option not supported (supported: average, period, burst, sourcecriterion.requestheadername, sourcecriterion.ipstrategy.*)"));
                    break;
            }
        }
    }

    /// <summary>Traefik's durations: Go's (1s, 1m30s, 500ms) or a number of seconds.</summary>
    private static TimeSpan? TraefikDuration(string value)
    {
        value = value.Trim();
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return seconds is >= 1 and <= 86_400 ? TimeSpan.FromSeconds(seconds) : null;
        }

        return ServiceLabelParser.TryParseDuration(value, TimeSpan.FromMilliseconds(1), TimeSpan.FromDays(1));
    }

    /// <summary>A headers middleware's accessControl* options as a cors middleware; it then must hold nothing else.</summary>
    private static void Cors(
        string prefix,
        Dictionary<string, (string Key, string Value)> options,
        ImmutableSortedDictionary<string, string>.Builder output,
        ImmutableArray<string>.Builder errors,
        ImmutableArray<string>.Builder warnings)
    {
        var equivalents = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["accesscontrolalloworiginlist"] = "allow-origins",
            ["accesscontrolallowmethods"] = "allow-methods",
            ["accesscontrolallowheaders"] = "allow-headers",
            ["accesscontrolexposeheaders"] = "expose-headers",
            ["accesscontrolallowcredentials"] = "allow-credentials",
        };
        foreach (var (option, (key, value)) in options)
        {
            if (equivalents.TryGetValue(option, out var swarmEdgeOption))
            {
                output[prefix + swarmEdgeOption] = value;
            }
            else if (option == "accesscontrolmaxage")
            {
                output[prefix + "max-age"] = long.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? $"{seconds}s" : value;
            }
            else if (option == "addvaryheader")
            {
                warnings.Add($"label {key} has no effect: SwarmEdge adds Vary: Origin whenever the answer depends on the origin");
            }
            else
            {
                errors.Add(TraefikLabels.Describe(key, value, option.StartsWith("accesscontrol", StringComparison.Ordinal)
                    ? "option not supported (supported: accesscontrolalloworiginlist, accesscontrolallowmethods, accesscontrolallowheaders, accesscontrolexposeheaders, accesscontrolallowcredentials, accesscontrolmaxage)"
                    : "a headers middleware with CORS options (accessControl*) translates to SwarmEdge's cors middleware, which sets no other header: declare these headers in a middleware of their own and chain both"));
            }
        }
    }

    /// <summary>redirectscheme as a redirect-regex: only requests on the other scheme are redirected, as Traefik does.</summary>
    private static void RedirectScheme(
        string prefix,
        Dictionary<string, (string Key, string Value)> options,
        ImmutableSortedDictionary<string, string>.Builder output,
        ImmutableArray<string>.Builder errors)
    {
        var scheme = options.TryGetValue("scheme", out var s) ? s.Value.Trim().ToLowerInvariant() : null;
        if (scheme is not ("http" or "https"))
        {
            errors.Add(s.Key is null ? $"middleware {prefix[MiddlewaresPrefix.Length..^1]}: redirectscheme needs scheme (https or http)" : TraefikLabels.Describe(s.Key, s.Value, "must be https or http"));
            return;
        }

        var port = "";
        if (options.TryGetValue("port", out var p))
        {
            if (!int.TryParse(p.Value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
            {
                errors.Add(TraefikLabels.Describe(p.Key, p.Value, "must be a port number, 1-65535"));
                return;
            }

            port = number == (scheme == "https" ? 443 : 80) ? "" : $":{number}";
        }

        foreach (var (option, (key, value)) in options.Where(o => o.Key is not ("scheme" or "port" or "permanent")))
        {
            errors.Add(TraefikLabels.Describe(key, value, "option not supported (supported: scheme, port, permanent)"));
        }

        var other = scheme == "https" ? "http" : "https";
        output[prefix + "redirect-regex.regex"] = $"^{other}://([^/:]+)(:[0-9]+)?(.*)$";
        output[prefix + "redirect-regex.replacement"] = $"{scheme}://$1{port}$3";
        if (options.TryGetValue("permanent", out var permanent))
        {
            output[prefix + "redirect-regex.permanent"] = permanent.Value;
        }
    }

    private static void Headers(
        string prefix,
        Dictionary<string, (string Key, string Value)> options,
        ImmutableSortedDictionary<string, string>.Builder output,
        ImmutableArray<string>.Builder errors)
    {
        var removed = new Dictionary<string, List<string>>(StringComparer.Ordinal) { ["request"] = [], ["response"] = [] };
        string? sts = null;
        var stsExtras = "";
        foreach (var (option, (key, value)) in options.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            var direction = option.StartsWith("customrequestheaders.", StringComparison.Ordinal) ? "request"
                : option.StartsWith("customresponseheaders.", StringComparison.Ordinal) ? "response" : null;
            if (direction is not null)
            {
                // An empty value removes the header, as in Traefik.
                var header = option[(option.IndexOf('.') + 1)..];
                if (value.Length == 0)
                {
                    removed[direction].Add(header);
                }
                else
                {
                    output[$"{prefix}{direction}.set.{header}"] = value;
                }

                continue;
            }

            var on = string.Equals(value.Trim(), "true", StringComparison.OrdinalIgnoreCase);
            switch (option)
            {
                case "framedeny":
                    if (on && !options.ContainsKey("customframeoptionsvalue"))
                    {
                        output[prefix + "response.set.X-Frame-Options"] = "DENY";
                    }

                    break;
                case "contenttypenosniff":
                    if (on)
                    {
                        output[prefix + "response.set.X-Content-Type-Options"] = "nosniff";
                    }

                    break;
                case "browserxssfilter":
                    if (on)
                    {
                        output[prefix + "response.set.X-XSS-Protection"] = "1; mode=block";
                    }

                    break;
                case "stsseconds":
                    if (!long.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
                    {
                        errors.Add(TraefikLabels.Describe(key, value, "must be a number of seconds"));
                    }
                    else if (seconds > 0)
                    {
                        sts = $"max-age={seconds}";
                    }

                    break;
                case "stsincludesubdomains":
                    stsExtras += on ? "; includeSubDomains" : "";
                    break;
                case "stspreload":
                    stsExtras += on ? "; preload" : "";
                    break;
                case "forcestsheader":
                    // SwarmEdge sends the header on both schemes; browsers heed it over HTTPS only.
                    break;
                default:
                    if (SecurityHeaders.TryGetValue(option, out var securityHeader))
                    {
                        output[$"{prefix}response.set.{securityHeader}"] = value;
                    }
                    else
                    {
                        errors.Add(TraefikLabels.Describe(key, value, "option not supported (supported: customrequestheaders, customresponseheaders, framedeny, customframeoptionsvalue, contenttypenosniff, browserxssfilter, referrerpolicy, contentsecuritypolicy, permissionspolicy, stsseconds, stsincludesubdomains, stspreload, and the accessControl* ones in a middleware of their own)"));
                    }

                    break;
            }
        }

        if (sts is not null)
        {
            output[prefix + "response.set.Strict-Transport-Security"] = sts + stsExtras;
        }

        foreach (var (direction, headers) in removed.Where(r => r.Value.Count > 0))
        {
            output[$"{prefix}{direction}.remove"] = string.Join(',', headers);
        }
    }
}
