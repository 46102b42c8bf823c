namespace SwarmEdge.Catalog;

/// <summary>
/// A route's HTTPS settings from its labels; a null field keeps the configured default (SwarmEdge:Https:RedirectHttp,
/// SwarmEdge:Https:HstsMaxAge, SwarmEdge:Acme:AllRoutes). Acme: whether its hosts get certificates from the CA.
/// </summary>
internal sealed record RouteTls(RouteScheme Scheme, bool? HttpsRedirect, TimeSpan? Hsts, bool? Acme = null);
