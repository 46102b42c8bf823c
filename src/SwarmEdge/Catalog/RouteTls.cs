namespace SwarmEdge.Catalog;

/// <summary>
/// A route's HTTPS settings from its labels; a null field keeps the configured default (SwarmEdge:Https:RedirectHttp,
/// SwarmEdge:Https:HstsMaxAge).
/// </summary>
internal sealed record RouteTls(RouteScheme Scheme, bool? HttpsRedirect, TimeSpan? Hsts);
