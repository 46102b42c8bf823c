namespace SwarmEdge.Acme;

/// <summary>
/// One host's automatic certificate as the swarm holds it, for /api/acme: the certificate that serves (its config
/// and end), an order in progress (since when), and the last failed order (its error, how many failed in a row,
/// when the next may be placed). A host whose order has not started yet is not listed.
/// </summary>
internal sealed record AcmeHostStatus(
    string Host,
    string? Certificate,
    DateTimeOffset? ValidUntil,
    DateTimeOffset? PendingSince,
    string? LastError,
    int Failures,
    DateTimeOffset? NextAttempt);
