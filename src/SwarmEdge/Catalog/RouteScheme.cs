namespace SwarmEdge.Catalog;

/// <summary>On which schemes a route answers: both (the default), HTTPS only or plain HTTP only.</summary>
internal enum RouteScheme
{
    Both,
    Https,
    Http,
}
