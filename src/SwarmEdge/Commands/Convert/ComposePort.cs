using System.Collections.Frozen;

namespace SwarmEdge.Commands.Convert;

/// <summary>
/// One entry of a compose service's "ports", in either syntax. Target and Published are kept as written: a
/// number, a range ("8000-8010") or a variable ("${WEB_PORT}") that docker stack deploy fills in. Published is
/// empty when Docker picks the port. Ingress: published through the routing mesh (short syntax, or long syntax
/// with mode ingress or no mode), as opposed to mode: host.
/// </summary>
internal sealed partial record ComposePort(string Target, string Published, string Protocol, bool Ingress, string? AppProtocol)
{
    /// <summary>Ports that web servers and app frameworks listen on by default.</summary>
    private static readonly FrozenSet<int> HttpPorts = new[] { 80, 81, 3000, 4000, 5000, 8000, 8008, 8080, 8081, 8088, 8888 }.ToFrozenSet();

    /// <summary>TLS and well-known protocols that are not plain HTTP: SwarmEdge must not send HTTP to them.</summary>
    private static readonly FrozenSet<int> NotHttpPorts = new[]
    {
        21, 22, 23, 25, 53, 110, 143, 389, 443, 465, 587, 636, 993, 995, 1433, 1521, 1883, 2181, 2375, 2376, 2377,
        3306, 3389, 4222, 4789, 5222, 5432, 5671, 5672, 6379, 6443, 7946, 8443, 8883, 9042, 9092, 9093, 11211, 27017,
    }.ToFrozenSet();

    /// <summary>"[host_ip:][published:]target[/protocol]", e.g. "80", "8080:80", "127.0.0.1:8080:80/tcp", "[::1]:53:53/udp".</summary>
    public static ComposePort? ParseShort(string text)
    {
        var value = text.Trim();
        var protocol = "tcp";
        var slash = value.LastIndexOf('/');
        if (slash >= 0)
        {
            protocol = value[(slash + 1)..].Trim().ToLowerInvariant();
            value = value[..slash];
        }

        if (value.StartsWith('['))
        {
            // An IPv6 host address in brackets: its colons are not separators.
            var close = value.IndexOf("]:", StringComparison.Ordinal);
            if (close < 0)
            {
                return null;
            }

            value = value[(close + 2)..];
        }

        var parts = SplitOutsideVariables(value);
        if (parts.Count > 3)
        {
            return null;
        }

        var target = parts[^1].Trim();
        var published = parts.Count >= 2 ? parts[^2].Trim() : "";
        return target.Length == 0 ? null : new ComposePort(target, published, protocol.Length == 0 ? "tcp" : protocol, true, null);
    }

    /// <summary>The long syntax, from its keys: target, published, protocol, mode, app_protocol.</summary>
    public static ComposePort? ParseLong(IReadOnlyDictionary<string, string> fields)
    {
        if (!fields.TryGetValue("target", out var target) || target.Trim().Length == 0)
        {
            return null;
        }

        fields.TryGetValue("published", out var published);
        fields.TryGetValue("protocol", out var protocol);
        fields.TryGetValue("mode", out var mode);
        fields.TryGetValue("app_protocol", out var appProtocol);
        return new ComposePort(
            target.Trim(),
            published?.Trim() ?? "",
            protocol is { Length: > 0 } ? protocol.Trim().ToLowerInvariant() : "tcp",
            !string.Equals(mode?.Trim(), "host", StringComparison.OrdinalIgnoreCase),
            appProtocol?.Trim());
    }

    /// <summary>Splits at ':' except inside ${...}, where ":-" and ":?" introduce a default or an error message.</summary>
    private static List<string> SplitOutsideVariables(string value)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '$' && i + 1 < value.Length && value[i + 1] == '{')
            {
                depth++;
                i++;
            }
            else if (value[i] == '}' && depth > 0)
            {
                depth--;
            }
            else if (value[i] == ':' && depth == 0)
            {
                parts.Add(value[start..i]);
                start = i + 1;
            }
        }

        parts.Add(value[start..]);
        return parts;
    }

    /// <summary>The target port's number, or the default of a variable ("${WEB_PORT:-8080}": 8080).</summary>
    public int? TargetNumber => Number(Target);

    private int? PublishedNumber => Number(Published);

    private static int? Number(string value)
    {
        var match = DefaultedVariable().Match(value);
        var digits = match.Success ? match.Groups[1].Value : value;
        return int.TryParse(digits, out var n) && n is > 0 and <= 65535 ? n : null;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\$\{[A-Za-z_][A-Za-z0-9_]*:?-([0-9]+)\}$")]
    private static partial System.Text.RegularExpressions.Regex DefaultedVariable();

    public bool IsRange => Target.Contains('-') && !Target.StartsWith("${", StringComparison.Ordinal);

    /// <summary>Clearly HTTP: app_protocol says so, or the target or published port is a usual HTTP port.</summary>
    public bool LooksHttp =>
        Protocol == "tcp" && !IsRange
        && (string.Equals(AppProtocol, "http", StringComparison.OrdinalIgnoreCase)
            || (AppProtocol is null && (IsHttpPort(TargetNumber) || IsHttpPort(PublishedNumber)) && !IsNotHttp(TargetNumber)));

    /// <summary>
    /// Could be HTTP: TCP, a single port (or a variable), and nothing says otherwise: no app_protocol other than
    /// http, not TLS or a well-known non-HTTP port on either side.
    /// </summary>
    public bool MaybeHttp =>
        Protocol == "tcp" && !IsRange
        && (AppProtocol is null || string.Equals(AppProtocol, "http", StringComparison.OrdinalIgnoreCase))
        && (TargetNumber is not null || Target.StartsWith("${", StringComparison.Ordinal))
        && !IsNotHttp(TargetNumber) && !IsNotHttp(PublishedNumber);

    public override string ToString() => (Published.Length > 0 ? $"{Published}:{Target}" : Target) + "/" + Protocol;

    private static bool IsHttpPort(int? port) => port is { } p && HttpPorts.Contains(p);

    private static bool IsNotHttp(int? port) => port is { } p && NotHttpPorts.Contains(p);
}
