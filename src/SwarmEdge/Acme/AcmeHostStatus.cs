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
    DateTimeOffset? NextAttempt)
{
    public static IReadOnlyList<AcmeHostStatus> Of(
        IReadOnlyDictionary<string, StoredCertificate> newest,
        IEnumerable<AcmeConfig> orders,
        IEnumerable<FailurePayload> failures)
    {
        var pending = orders.GroupBy(o => o.Host, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Min(o => o.CreatedAt), StringComparer.Ordinal);
        var failed = failures.GroupBy(f => f.Host, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.MaxBy(f => f.At)!, StringComparer.Ordinal);
        return [.. newest.Keys.Concat(pending.Keys).Concat(failed.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(host =>
        {
            var certificate = newest.GetValueOrDefault(host);
            var failure = failed.GetValueOrDefault(host);
            return new AcmeHostStatus(host, certificate?.ConfigName, certificate?.NotAfter, pending.TryGetValue(host, out var since) ? since : null,
                failure?.Error, failure?.Failures ?? 0, failure?.NextAttempt);
        })];
    }
}
