using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using static SwarmEdge.LabelKeys;

namespace SwarmEdge.Catalog;

/// <summary>
/// Reads the middlewares a service declares: swarmedge.middlewares.&lt;name&gt;.&lt;kind&gt;.&lt;option&gt;. Never throws;
/// a declaration that is wrong in any way is an error (the service is then not routed from these labels), since a
/// route must never be served with less of a chain than it asked for.
/// </summary>
internal static partial class MiddlewareLabelParser
{
    /// <summary>The longest chain a route may name.</summary>
    public const int MaxChain = 16;

    public const int MaxPatternLength = 1000;

    /// <summary>Where Docker mounts a service's secrets: the only place a users file is read from.</summary>
    public const string SecretsDirectory = "/run/secrets/";

    private const string FileSuffix = "@file";

    private static readonly string[] Kinds = ["ip-allow", "basic-auth", "redirect-regex", "in-flight", "rate-limit", "compress", "cors", "forward-auth", "headers", "strip-prefix", "add-prefix", "replace-path-regex"];

    // Headers a middleware must not touch: they frame the message or the connection, name the host the task is
    // routed by, or carry the client's address, which only trusted proxies may set (SwarmEdge:Proxy:TrustedProxies).
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "TE", "Trailer", "Proxy-Connection",
        "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Prefix", "Forwarded",
    };

    public static ImmutableArray<Middleware> Parse(IReadOnlyDictionary<string, string> labels, ImmutableArray<string>.Builder errors)
    {
        // name (lower case) -> kind -> option -> (key, value)
        var declared = new SortedDictionary<string, SortedDictionary<string, Dictionary<string, (string Key, string Value)>>>(StringComparer.Ordinal);
        foreach (var key in labels.Keys.Where(k => k.StartsWith(MiddlewaresPrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var rest = key[MiddlewaresPrefix.Length..].Split('.', 3);
            if (rest.Length < 2 || !NameRegex().IsMatch(rest[0]))
            {
                errors.Add(Describe(key, labels[key], $"a middleware is declared as {MiddlewaresPrefix}<name>.<kind>.<option>, its name of letters, digits, '-' and '_'"));
                continue;
            }

            if (!Kinds.Contains(rest[1]))
            {
                errors.Add(Describe(key, labels[key], $"unknown middleware kind '{rest[1]}': one of {string.Join(", ", Kinds)}"));
                continue;
            }

            var kinds = declared.TryGetValue(rest[0].ToLowerInvariant(), out var k) ? k : declared[rest[0].ToLowerInvariant()] = new(StringComparer.Ordinal);
            var options = kinds.TryGetValue(rest[1], out var o) ? o : kinds[rest[1]] = new(StringComparer.Ordinal);
            options[rest.Length == 3 ? rest[2] : ""] = (key, labels[key]);
        }

        var middlewares = ImmutableArray.CreateBuilder<Middleware>();
        foreach (var (name, kinds) in declared)
        {
            if (kinds.Count > 1)
            {
                errors.Add($"middleware '{name}' is declared as {string.Join(" and ", kinds.Keys)}: a middleware is of one kind (declare one of each)");
                continue;
            }

            var (kind, options) = kinds.Single();
            var count = errors.Count;
            Middleware? middleware = kind switch
            {
                "ip-allow" => IpAllow(name, options, errors),
                "basic-auth" => BasicAuth(name, options, errors),
                "redirect-regex" => RedirectRegex(name, options, errors),
                "in-flight" => InFlight(name, options, errors),
                "rate-limit" => RateLimit(name, options, errors),
                "compress" => Compress(options, name, errors),
                "cors" => Cors(name, options, errors),
                "forward-auth" => ForwardAuth(name, options, errors),
                "headers" => Headers(name, options, errors),
                "strip-prefix" => StripPrefix(name, options, errors),
                "add-prefix" => AddPrefix(name, options, errors),
                _ => ReplacePathRegex(name, options, errors),
            };
            if (middleware is not null && errors.Count == count)
            {
                middlewares.Add(middleware);
            }
        }

        return middlewares.ToImmutable();
    }

    /// <summary>A router's chain (swarmedge.http.middlewares or .routers.&lt;r&gt;.middlewares): names in order, lower case.</summary>
    public static EquatableArray<string> ParseChain(string key, string value, ImmutableArray<string>.Builder errors)
    {
        var names = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(n => n.ToLowerInvariant()).ToList();
        // name@file: a middleware of the routes file, which any route may use (the operator wrote it).
        if (names.Count == 0 || names.Count > MaxChain || !names.All(n => NameRegex().IsMatch(n.EndsWith(FileSuffix, StringComparison.Ordinal) ? n[..^FileSuffix.Length] : n))
            || names.Distinct().Count() != names.Count)
        {
            errors.Add(Describe(key, value, $"must be a comma-separated list of up to {MaxChain} different middleware names (name@file for one of the routes file's)"));
            return [];
        }

        return names.ToEquatableArray();
    }

    private static IpAllowMiddleware? IpAllow(string name, Dictionary<string, (string Key, string Value)> options, ImmutableArray<string>.Builder errors)
    {
        if (!Known(options, ["source-range"], errors) || Required(name, "ip-allow", options, "source-range", errors) is not { } range)
        {
            return null;
        }

        var ranges = new List<string>();
        foreach (var entry in range.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (IPNetwork.TryParse(entry, out var network))
            {
                ranges.Add(network.ToString());
            }
            else if (IPAddress.TryParse(entry, out var address) && !entry.Contains('/'))
            {
                ranges.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128).ToString());
            }
            else
            {
                errors.Add(Describe(range.Key, range.Value, $"'{entry}' is neither an address nor a CIDR range (10.1.0.0/16, fd00::/8)"));
                return null;
            }
        }

        if (ranges.Count is 0 or > 1000)
        {
            errors.Add(Describe(range.Key, range.Value, "must list from 1 to 1000 addresses or CIDR ranges"));
            return null;
        }

        return new IpAllowMiddleware(name, ranges.Distinct().ToEquatableArray());
    }

    private static BasicAuthMiddleware? BasicAuth(string name, Dictionary<string, (string Key, string Value)> options, ImmutableArray<string>.Builder errors)
    {
        if (!Known(options, ["users-file", "realm", "remove-header"], errors) || Required(name, "basic-auth", options, "users-file", errors) is not { } file)
        {
            return null;
        }

        var path = file.Value.Trim();
        if (!path.StartsWith(SecretsDirectory, StringComparison.Ordinal) || path.Length == SecretsDirectory.Length
            || path.Split('/').Any(segment => segment is "." or "..") || path.Any(char.IsControl))
        {
            errors.Add(Describe(file.Key, file.Value, $"must be a Docker secret given to the edge, {SecretsDirectory}<name> (an htpasswd file of bcrypt entries, never passwords in a label)"));
            return null;
        }

        var realm = "SwarmEdge";
        if (options.TryGetValue("realm", out var realmOption))
        {
            realm = realmOption.Value.Trim();
            if (realm.Length is 0 or > 100 || realm.Any(c => c is < ' ' or > '~' or '"' or '\\'))
            {
                errors.Add(Describe(realmOption.Key, realmOption.Value, "must be 1 to 100 printable ASCII characters without '\"' or '\\'"));
                return null;
            }
        }

        return Bool(options, "remove-header", false, errors) is { } remove ? new BasicAuthMiddleware(name, path, realm, remove) : null;
    }

    private static RedirectRegexMiddleware? RedirectRegex(string name, Dictionary<string, (string Key, string Value)> options, ImmutableArray<string>.Builder errors)
    {
        if (!Known(options, ["regex", "replacement", "permanent"], errors)
            || Required(name, "redirect-regex", options, "regex", errors) is not { } regex
            || Required(name, "redirect-regex", options, "replacement", errors) is not { } replacement
            || !IsPattern(regex, errors))
        {
            return null;
        }

        if (replacement.Value.Trim().Length is 0 or > MaxPatternLength || replacement.Value.Any(char.IsControl))
        {
            errors.Add(Describe(replacement.Key, replacement.Value, $"must be a URL of up to {MaxPatternLength} characters ($1, ${{name}} for the pattern's groups)"));
            return null;
        }

        return Bool(options, "permanent", false, errors) is { } permanent
            ? new RedirectRegexMiddleware(name, regex.Value.Trim(), replacement.Value.Trim(), permanent)
            : null;
    }

    private static InFlightMiddleware? InFlight(string name, Dictionary<string, (string Key, string Value)> options, ImmutableArray<string>.Builder errors)
    {
        if (!Known(options, ["limit"], errors) || Required(name, "in-flight", options, "limit", errors) is not { } limit)
        {
            return null;
        }

        if (int.TryParse(limit.Value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 1_000_000)
        {
            return new InFlightMiddleware(name, n);
        }

        errors.Add(Describe(limit.Key, limit.Value, "must be a whole number from 1 to 1000000"));
        return null;
    }

    /// <summary>rate: "100/s" or "600/m"; burst: how many at once (the rate's count when absent); header: count per its value.</summary>
    private static RateLimitMiddleware? RateLimit(string name, Dictionary<string, (string Key, string Value)> options, ImmutableArray<string>.Builder errors)
    {
        if (!Known(options, ["rate", "burst", "header"], errors) || Required(name, "rate-limit", options, "rate", errors) is not { } rate)
        {
            return null;
        }

        if (ServiceLabelParser.TryParseRate(rate.Value) is not { } parsed)
        {
            errors.Add(Describe(rate.Key, rate.Value, "must be requests per second or minute, such as 100/s or 600/m (1 to 1000000)"));
            return null;
        }

        var burst = parsed.Permits;
        if (options.TryGetValue("burst", out var b)
            && (!int.TryParse(b.Value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out burst) || burst is < 1 or > 1_000_000))
        {
            errors.Add(Describe(b.Key, b.Value, "must be a whole number from 1 to 1000000"));
            return null;
        }

        string? header = null;
        if (options.TryGetValue("header", out var h))
        {
            header = h.Value.Trim();
            if (!HttpToken.IsHeaderName(header) || ReservedHeaders.Contains(header))
            {
                errors.Add(Describe(h.Key, h.Value, ReservedHeaders.Contains(header)
                    ? $"header {header} cannot be counted by: requests are counted by their client address (after trusted proxies) when no header is named"
                    : $"'{header}' is not a header name"));
                return null;
            }
        }

        return new RateLimitMiddleware(name, parsed, burst, header);
    }

    /// <summary>
    /// swarmedge.middlewares.&lt;name&gt;.compress=true alone, or content-types, excluded-content-types: media types
    /// (text/html, image/*) to compress or not.
    /// </summary>
    private static CompressMiddleware? Compress(Dictionary<string, (string Key, string Value)> options, string name, ImmutableArray<string>.Builder errors)
    {
        if (!Known(options, ["", "content-types", "excluded-content-types"], errors))
        {
            return null;
        }

        if (options.TryGetValue("", out var on) && !string.Equals(on.Value.Trim(), "true", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(Describe(on.Key, on.Value, $"must be true (to declare '{name}' without options); leave a middleware out of a chain to not use it"));
            return null;
        }

        var included = MediaTypes(options, "content-types", errors);
        var excluded = MediaTypes(options, "excluded-content-types", errors);
        return included is null || excluded is null ? null : new CompressMiddleware(name, included.Value, excluded.Value);
    }

    private static EquatableArray<string>? MediaTypes(Dictionary<string, (string Key, string Value)> options, string option, ImmutableArray<string>.Builder errors)
    {
        if (!options.TryGetValue(option, out var found))
        {
            return EquatableArray<string>.Empty;
        }

        var types = found.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(t => t.ToLowerInvariant()).ToList();
        if (types.Count is 0 or > 100 || !types.All(MediaTypeRegex().IsMatch))
        {
            errors.Add(Describe(found.Key, found.Value, "must be a comma-separated list of media types such as text/html,application/json,image/*"));
            return null;
        }

        return types.Distinct().ToEquatableArray();
    }

    /// <summary>
    /// allow-origins: "*" or origins (https://app.example.com, https://*.example.com); allow-methods (GET, HEAD, POST when
    /// absent), allow-headers ("*" for any), expose-headers, allow-credentials, max-age (how long a preflight is cached).
    /// </summary>
    private static CorsMiddleware? Cors(string name, Dictionary<string, (string Key, string Value)> options, ImmutableArray<string>.Builder errors)
    {
        if (!Known(options, ["allow-origins", "allow-methods", "allow-headers", "expose-headers", "allow-credentials", "max-age"], errors)
            || Required(name, "cors", options, "allow-origins", errors) is not { } origins)
        {
            return null;
        }

        var originList = origins.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(o => o.TrimEnd('/').ToLowerInvariant()).Distinct().ToList();
        if (originList.Count is 0 or > 100 || (originList.Contains("*") && originList.Count > 1) || !originList.All(o => o == "*" || OriginRegex().IsMatch(o)))
        {
            errors.Add(Describe(origins.Key, origins.Value, "must be * or a comma-separated list of up to 100 origins such as https://app.example.com or https://*.example.com"));
            return null;
        }

        var methods = new List<string> { "GET", "HEAD", "POST" };
        if (options.TryGetValue("allow-methods", out var m))
        {
            methods = m.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(v => v.ToUpperInvariant()).Distinct().ToList();
            if (methods.Count is 0 or > 20 || !methods.All(v => v == "*" || HttpToken.IsMethod(v)))
            {
                errors.Add(Describe(m.Key, m.Value, "must be * or a comma-separated list of methods such as GET,POST,PUT"));
                return null;
            }
        }

        var allowHeaders = options.TryGetValue("allow-headers", out var ah) && ah.Value.Trim() == "*" ? ["*"] : HeaderList(options, "allow-headers", errors, mayChange: false);
        var exposeHeaders = HeaderList(options, "expose-headers", errors, mayChange: false);
        var credentials = Bool(options, "allow-credentials", false, errors);
        if (allowHeaders is null || exposeHeaders is null || credentials is null)
        {
            return null;
        }

        if (credentials.Value && originList.Contains("*"))
        {
            errors.Add(Describe(options["allow-credentials"].Key, options["allow-credentials"].Value, "credentials cannot be allowed for any origin (*): browsers refuse it, and it would hand every site the user's session; list the origins"));
            return null;
        }

        TimeSpan? maxAge = null;
        if (options.TryGetValue("max-age", out var age))
        {
            maxAge = ServiceLabelParser.TryParseDuration(age.Value, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
            if (maxAge is null)
            {
                errors.Add(Describe(age.Key, age.Value, "must be a duration from 1s to 24h, such as 10m"));
                return null;
            }
        }

        return new CorsMiddleware(name, originList.ToEquatableArray(), methods.ToEquatableArray(), allowHeaders.Value, exposeHeaders.Value, credentials.Value, maxAge);
    }

    /// <summary>
    /// address: an http(s) URL of the auth service, by name (a service on the edge's networks, as Authelia's
    /// http://authelia:9091/api/authz/forward-auth); auth-response-headers and auth-request-headers: header lists.
    /// </summary>
    private static ForwardAuthMiddleware? ForwardAuth(string name, Dictionary<string, (string Key, string Value)> options, ImmutableArray<string>.Builder errors)
    {
        if (!Known(options, ["address", "auth-response-headers", "auth-request-headers"], errors) || Required(name, "forward-auth", options, "address", errors) is not { } address)
        {
            return null;
        }

        var value = address.Value.Trim();
        if (value.Length > 2000 || !Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || uri.UserInfo.Length > 0 || uri.Fragment.Length > 0 || uri.HostNameType != UriHostNameType.Dns || uri.IsLoopback)
        {
            errors.Add(Describe(address.Key, address.Value, "must be an http or https URL naming the auth service by its host name (http://authelia:9091/api/authz/forward-auth), without credentials"));
            return null;
        }

        var responseHeaders = HeaderList(options, "auth-response-headers", errors);
        var requestHeaders = HeaderList(options, "auth-request-headers", errors);
        return responseHeaders is null || requestHeaders is null ? null : new ForwardAuthMiddleware(name, uri.AbsoluteUri, responseHeaders.Value, requestHeaders.Value);
    }

    /// <summary>
    /// A comma-separated list of header names, empty when the option is absent; with mayChange, only headers a
    /// middleware may change (a CORS list only names headers to browsers).
    /// </summary>
    private static EquatableArray<string>? HeaderList(
        Dictionary<string, (string Key, string Value)> options, string option, ImmutableArray<string>.Builder errors, bool mayChange = true)
    {
        if (!options.TryGetValue(option, out var found))
        {
            return EquatableArray<string>.Empty;
        }

        var headers = found.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (headers.Length is 0 or > 50 || !headers.All(HttpToken.IsHeaderName))
        {
            errors.Add(Describe(found.Key, found.Value, "must be a comma-separated list of up to 50 header names"));
            return null;
        }

        if (mayChange && headers.FirstOrDefault(ReservedHeaders.Contains) is { } reserved)
        {
            errors.Add(Describe(found.Key, found.Value, $"header {reserved} is not one a middleware may change (it frames the message, routes it or carries the client's address)"));
            return null;
        }

        return headers.Distinct(StringComparer.OrdinalIgnoreCase).ToEquatableArray();
    }

    /// <summary>request.set.&lt;Header&gt;, request.append.&lt;Header&gt;, request.remove, and the same under response.</summary>
    private static HeadersMiddleware? Headers(string name, Dictionary<string, (string Key, string Value)> options, ImmutableArray<string>.Builder errors)
    {
        var request = new List<HeaderChange>();
        var response = new List<HeaderChange>();
        foreach (var (option, (key, value)) in options.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            var parts = option.Split('.', 3);
            var target = parts[0] switch { "request" => request, "response" => response, _ => null };
            var action = parts.Length > 1 ? parts[1] switch { "set" => HeaderAction.Set, "append" => HeaderAction.Append, "remove" => HeaderAction.Remove, _ => (HeaderAction?)null } : null;
            if (target is null || action is null || (action == HeaderAction.Remove) != (parts.Length == 2))
            {
                errors.Add(Describe(key, value, "a headers middleware takes request.set.<Header>, request.append.<Header>, request.remove and the same under response"));
                return null;
            }

            var headers = action == HeaderAction.Remove ? value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : [parts[2]];
            foreach (var header in headers)
            {
                if (!HttpToken.IsHeaderName(header) || ReservedHeaders.Contains(header))
                {
                    errors.Add(Describe(key, value, ReservedHeaders.Contains(header)
                        ? $"header {header} is not one a middleware may change (it frames the message, routes it or carries the client's address)"
                        : $"'{header}' is not a header name"));
                    return null;
                }

                if (action != HeaderAction.Remove && (value.Length > 8192 || value.Any(c => c is < ' ' and not '\t' or > '~')))
                {
                    errors.Add(Describe(key, value, "a header value is up to 8192 printable ASCII characters (no line breaks)"));
                    return null;
                }

                target.Add(new HeaderChange(header, action.Value, action == HeaderAction.Remove ? null : value.Trim()));
            }
        }

        if (request.Count + response.Count == 0)
        {
            errors.Add($"middleware '{name}' (headers) changes no header");
            return null;
        }

        // Removals first, then sets, then appends: what a label set cannot be removed by another of the same middleware.
        static EquatableArray<HeaderChange> Ordered(List<HeaderChange> changes) =>
            changes.OrderBy(c => c.Action switch { HeaderAction.Remove => 0, HeaderAction.Set => 1, _ => 2 }).ThenBy(c => c.Header, StringComparer.OrdinalIgnoreCase).ToEquatableArray();
        return new HeadersMiddleware(name, Ordered(request), Ordered(response));
    }

    private static StripPrefixMiddleware? StripPrefix(string name, Dictionary<string, (string Key, string Value)> options, ImmutableArray<string>.Builder errors)
    {
        if (!Known(options, ["prefixes"], errors) || Required(name, "strip-prefix", options, "prefixes", errors) is not { } prefixes)
        {
            return null;
        }

        var list = prefixes.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(p => p.Length > 1 ? p.TrimEnd('/') : p).ToList();
        if (list.Count is 0 or > 100 || !list.All(p => p != "/" && PathRegex().IsMatch(p)))
        {
            errors.Add(Describe(prefixes.Key, prefixes.Value, "must be a comma-separated list of path prefixes such as /api,/v1"));
            return null;
        }

        return new StripPrefixMiddleware(name, list.Distinct().ToEquatableArray());
    }

    private static AddPrefixMiddleware? AddPrefix(string name, Dictionary<string, (string Key, string Value)> options, ImmutableArray<string>.Builder errors)
    {
        if (!Known(options, ["prefix"], errors) || Required(name, "add-prefix", options, "prefix", errors) is not { } prefix)
        {
            return null;
        }

        var path = prefix.Value.Trim();
        path = path.Length > 1 ? path.TrimEnd('/') : path;
        if (path == "/" || !PathRegex().IsMatch(path))
        {
            errors.Add(Describe(prefix.Key, prefix.Value, "must be a path prefix such as /v1"));
            return null;
        }

        return new AddPrefixMiddleware(name, path);
    }

    private static ReplacePathRegexMiddleware? ReplacePathRegex(string name, Dictionary<string, (string Key, string Value)> options, ImmutableArray<string>.Builder errors)
    {
        if (!Known(options, ["regex", "replacement"], errors)
            || Required(name, "replace-path-regex", options, "regex", errors) is not { } regex
            || Required(name, "replace-path-regex", options, "replacement", errors) is not { } replacement
            || !IsPattern(regex, errors))
        {
            return null;
        }

        var value = replacement.Value.Trim();
        if (!value.StartsWith('/') || value.Length > MaxPatternLength || value.Any(c => char.IsControl(c) || c is '?' or '#'))
        {
            errors.Add(Describe(replacement.Key, replacement.Value, "must be a path that starts with '/' ($1, ${name} for the pattern's groups)"));
            return null;
        }

        return new ReplacePathRegexMiddleware(name, regex.Value.Trim(), value);
    }

    /// <summary>
    /// Patterns run on every request of a route, written by whoever deploys a service: matched without
    /// backtracking, in time linear in the input, so no pattern can make a request (or the edge) spin.
    /// </summary>
    public static Regex Compile(string pattern) => new(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);

    private static bool IsPattern((string Key, string Value) regex, ImmutableArray<string>.Builder errors)
    {
        var pattern = regex.Value.Trim();
        if (pattern.Length is 0 or > MaxPatternLength)
        {
            errors.Add(Describe(regex.Key, regex.Value, $"must be a regular expression of up to {MaxPatternLength} characters"));
            return false;
        }

        try
        {
            Compile(pattern);
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            errors.Add(Describe(regex.Key, regex.Value, $"is not a regular expression SwarmEdge runs (no backreferences, lookarounds or atomic groups): {ex.Message}"));
            return false;
        }
    }

    private static bool Known(Dictionary<string, (string Key, string Value)> options, string[] known, ImmutableArray<string>.Builder errors)
    {
        var unknown = options.Where(o => !known.Contains(o.Key)).ToList();
        foreach (var (_, (key, value)) in unknown)
        {
            errors.Add(Describe(key, value, $"unknown option: this kind takes {string.Join(", ", known.Where(k => k.Length > 0))}"));
        }

        return unknown.Count == 0;
    }

    private static (string Key, string Value)? Required(string name, string kind, Dictionary<string, (string Key, string Value)> options, string option, ImmutableArray<string>.Builder errors)
    {
        if (options.TryGetValue(option, out var found))
        {
            return found;
        }

        errors.Add($"middleware '{name}' ({kind}) needs {MiddlewaresPrefix}{name}.{kind}.{option}");
        return null;
    }

    private static bool? Bool(Dictionary<string, (string Key, string Value)> options, string option, bool fallback, ImmutableArray<string>.Builder errors)
    {
        if (!options.TryGetValue(option, out var found))
        {
            return fallback;
        }

        if (bool.TryParse(found.Value.Trim(), out var value))
        {
            return value;
        }

        errors.Add(Describe(found.Key, found.Value, "must be true or false"));
        return null;
    }

    private static string Describe(string key, string value, string problem) => $"label {key}=\"{value}\": {problem}";

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,63}\z")]
    private static partial Regex NameRegex();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/(\*|[a-z0-9][a-z0-9!#$&^_.+-]{0,126})\z")]
    private static partial Regex MediaTypeRegex();

    [GeneratedRegex(@"^https?://(\*\.)?[a-z0-9]([a-z0-9-]{0,62}\.)*[a-z0-9-]{1,63}(:[0-9]{1,5})?\z")]
    private static partial Regex OriginRegex();

    [GeneratedRegex(@"^(?!.*//)/[A-Za-z0-9\-._~!$&'()+,;=:@%/]*\z")]
    private static partial Regex PathRegex();
}
