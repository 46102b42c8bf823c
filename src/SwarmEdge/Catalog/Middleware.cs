using System.Text.Json.Serialization;

namespace SwarmEdge.Catalog;

/// <summary>
/// A middleware a service declares (swarmedge.middlewares.&lt;name&gt;.&lt;kind&gt;.*) for the routes of its tenant to
/// use by name (swarmedge.http.middlewares). Gates decide about a request before it is forwarded (allow, answer,
/// wait); transforms change what is forwarded and what comes back (YARP transforms). Owner is the tenant whose
/// declaration a route's chain resolved to, set by the catalog.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(IpAllowMiddleware), "ip-allow")]
[JsonDerivedType(typeof(BasicAuthMiddleware), "basic-auth")]
[JsonDerivedType(typeof(RedirectRegexMiddleware), "redirect-regex")]
[JsonDerivedType(typeof(InFlightMiddleware), "in-flight")]
[JsonDerivedType(typeof(RateLimitMiddleware), "rate-limit")]
[JsonDerivedType(typeof(CompressMiddleware), "compress")]
[JsonDerivedType(typeof(CorsMiddleware), "cors")]
[JsonDerivedType(typeof(ForwardAuthMiddleware), "forward-auth")]
[JsonDerivedType(typeof(HeadersMiddleware), "headers")]
[JsonDerivedType(typeof(StripPrefixMiddleware), "strip-prefix")]
[JsonDerivedType(typeof(AddPrefixMiddleware), "add-prefix")]
[JsonDerivedType(typeof(ReplacePathRegexMiddleware), "replace-path-regex")]
internal abstract record Middleware(string Name)
{
    public string Owner { get; init; } = "";

    /// <summary>Whether it decides about requests in SwarmEdge's pipeline (else it is a YARP transform).</summary>
    [JsonIgnore]
    public abstract bool IsGate { get; }
}

/// <summary>Only clients whose address (after trusted proxies) is in one of Ranges (CIDRs) reach the route; others get 403.</summary>
internal sealed record IpAllowMiddleware(string Name, EquatableArray<string> Ranges) : Middleware(Name)
{
    public override bool IsGate => true;
}

/// <summary>HTTP basic authentication against an htpasswd file of bcrypt entries (a Docker secret); 401 otherwise.</summary>
internal sealed record BasicAuthMiddleware(string Name, string UsersFile, string Realm, bool RemoveHeader) : Middleware(Name)
{
    public override bool IsGate => true;
}

/// <summary>Redirects requests whose URL (scheme://host/path?query) matches Pattern to Replacement ($1 for groups).</summary>
internal sealed record RedirectRegexMiddleware(string Name, string Pattern, string Replacement, bool Permanent) : Middleware(Name)
{
    public override bool IsGate => true;
}

/// <summary>At most Limit requests of a route in flight at once; more: 429.</summary>
internal sealed record InFlightMiddleware(string Name, int Limit) : Middleware(Name)
{
    public override bool IsGate => true;
}

/// <summary>
/// At most Rate.Permits requests per Rate.Period from one client address (after trusted proxies), or per value of
/// Header when given (requests without it count by their client address); Burst at once. More: 429 with Retry-After.
/// </summary>
internal sealed record RateLimitMiddleware(string Name, RequestRate Rate, int Burst, string? Header) : Middleware(Name)
{
    public override bool IsGate => true;
}

/// <summary>
/// Responses compressed (brotli, gzip: ASP.NET Core's response compression) when the client accepts it, the task did
/// not compress them itself and their type is one of ContentTypes (ASP.NET Core's text types when empty) and not one
/// of ExcludedContentTypes.
/// </summary>
internal sealed record CompressMiddleware(string Name, EquatableArray<string> ContentTypes, EquatableArray<string> ExcludedContentTypes) : Middleware(Name)
{
    public override bool IsGate => true;
}

/// <summary>
/// Cross-origin requests (ASP.NET Core's CORS): preflights answered by the edge, the Access-Control-* headers of
/// answers set for allowed origins only. Origins: "*", or scheme://host[:port] with "*." for any subdomain.
/// </summary>
internal sealed record CorsMiddleware(
    string Name,
    EquatableArray<string> Origins,
    EquatableArray<string> Methods,
    EquatableArray<string> Headers,
    EquatableArray<string> ExposedHeaders,
    bool AllowCredentials,
    TimeSpan? MaxAge) : Middleware(Name)
{
    public override bool IsGate => true;
}

/// <summary>
/// Each request is first asked of an auth service (GET Address with the request's headers, or only RequestHeaders
/// when given, and X-Forwarded-Method/Proto/Host/Uri/For as the edge saw the request): a 2xx lets it through with
/// ResponseHeaders copied from the answer (and removed from the request when the answer has none), anything else
/// is the client's answer (a login redirect, a 401).
/// </summary>
internal sealed record ForwardAuthMiddleware(string Name, string Address, EquatableArray<string> ResponseHeaders, EquatableArray<string> RequestHeaders) : Middleware(Name)
{
    public override bool IsGate => true;
}

/// <summary>Request and response headers set, appended or removed, in order.</summary>
internal sealed record HeadersMiddleware(string Name, EquatableArray<HeaderChange> Request, EquatableArray<HeaderChange> Response) : Middleware(Name)
{
    public override bool IsGate => false;
}

/// <summary>Value null: the header is removed.</summary>
internal sealed record HeaderChange(string Header, HeaderAction Action, string? Value);

internal enum HeaderAction
{
    Set,
    Append,
    Remove,
}

/// <summary>The first of Prefixes the path starts with (at a segment boundary) is removed before forwarding.</summary>
internal sealed record StripPrefixMiddleware(string Name, EquatableArray<string> Prefixes) : Middleware(Name)
{
    public override bool IsGate => false;
}

/// <summary>Prefix is put before the path when forwarding.</summary>
internal sealed record AddPrefixMiddleware(string Name, string Prefix) : Middleware(Name)
{
    public override bool IsGate => false;
}

/// <summary>The forwarded path is Pattern replaced with Replacement, when Pattern matches it.</summary>
internal sealed record ReplacePathRegexMiddleware(string Name, string Pattern, string Replacement) : Middleware(Name)
{
    public override bool IsGate => false;
}
