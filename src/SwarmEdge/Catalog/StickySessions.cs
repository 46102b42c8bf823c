namespace SwarmEdge.Catalog;

/// <summary>
/// A client keeps its task (swarmedge.http.sticky): YARP session affinity by a cookie naming a hash of the task, so
/// every edge sends it to the same task (no key to share between edges) and a client whose task leaves moves to a
/// live one while the others stay. Secure null: as the request (set on HTTPS, not on HTTP).
/// </summary>
internal sealed record StickySessions(string Cookie, string SameSite, bool? Secure);
