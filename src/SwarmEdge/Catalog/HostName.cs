namespace SwarmEdge.Catalog;

/// <summary>Host names as route labels write them: lower case, "*." for a wildcard, ":port" optional. Pure.</summary>
internal static class HostName
{
    public static string WithoutPort(string host)
    {
        var colon = host.LastIndexOf(':');
        return colon < 0 ? host : host[..colon];
    }

    public static bool IsWildcard(string name) => name.StartsWith("*.", StringComparison.Ordinal);

    /// <summary>The names above this one: "a.b.example.com" has "b.example.com", "example.com", "com".</summary>
    public static IEnumerable<string> Parents(string name)
    {
        var rest = IsWildcard(name) ? name[2..] : name;
        for (var dot = rest.IndexOf('.'); dot >= 0; dot = rest.IndexOf('.'))
        {
            rest = rest[(dot + 1)..];
            yield return rest;
        }
    }

    /// <summary>Whether the pattern ("name" or "*.name") covers every request host that this name matches.</summary>
    public static bool Covers(string pattern, string name)
    {
        if (!IsWildcard(pattern))
        {
            return pattern == name;
        }

        var suffix = pattern[1..]; // ".example.com"
        return name.EndsWith(suffix, StringComparison.Ordinal) && name.Length > suffix.Length;
    }
}
