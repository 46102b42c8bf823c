namespace SwarmEdge.Catalog;

/// <summary>
/// One HTTP route to a service: requests whose Host is one of Hosts (any host when empty), whose path starts with
/// PathPrefix (any path when null; is exactly it when ExactPath), whose method is one of Methods (any when empty)
/// and that carry every header of Headers with its value. Priority: higher wins when several routes match.
/// ByServiceName: the labels set no host and no path; the routing policy decides the host (or refuses).
/// Port: the task port this route's requests go to, when the router names its own (else the service's HTTP port).
/// Tls: the route's own HTTPS settings (null: the defaults, SwarmEdge:Https).
/// MiddlewareNames: the chain its labels name; Chain: those middlewares as the catalog resolved them for the
/// route's tenant (empty until then). MaxRequestBodySize (bytes): null keeps SwarmEdge:Limits. ResponseTimeout: how
/// long a task may send nothing (before its response headers or between two reads of its body) before the
/// client gets 504; null keeps YARP's default (100 s).
/// </summary>
internal sealed record HttpRoute(
    string Name,
    EquatableArray<string> Hosts,
    string? PathPrefix,
    int? Priority,
    bool StripPrefix,
    bool ByServiceName = false,
    int? Port = null,
    RouteTls? Tls = null,
    EquatableArray<string> MiddlewareNames = default,
    EquatableArray<Middleware> Chain = default,
    long? MaxRequestBodySize = null,
    TimeSpan? ResponseTimeout = null,
    bool ExactPath = false,
    EquatableArray<string> Methods = default,
    EquatableArray<HeaderMatch> Headers = default);

/// <summary>A header a request must carry, with exactly this value (case-sensitive, as Traefik's Header matcher).</summary>
internal sealed record HeaderMatch(string Name, string Value);
