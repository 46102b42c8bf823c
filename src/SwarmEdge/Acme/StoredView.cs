namespace SwarmEdge.Acme;

/// <summary>
/// What the swarm holds of SwarmEdge's ACME configs, opened with the storage key, as the issuer plans from it,
/// the edges report it and `swarmedge acme list` prints it. What does not open under the key (someone else's
/// config labelled like ours) is left out.
/// </summary>
internal sealed class StoredView
{
    /// <param name="certificates">The certificate configs among <paramref name="stored"/>, opened (an edge keeps them opened between polls).</param>
    public StoredView(StorageKey key, IReadOnlyList<AcmeConfig> stored, IReadOnlyList<StoredCertificate> certificates, DateTimeOffset now)
    {
        Stored = stored;
        Now = now;
        Certificates = certificates;
        Latest = StoredCertificate.Latest(certificates, now);
        Serving = StoredCertificate.Serving(certificates, now);
        // Opened first, then the latest by its sealed time: Docker's CreatedAt is not ours to trust.
        Failures = stored.Where(c => c.Kind == AcmeConfigKind.Failure).Select(c => AcmePayloads.Open<FailurePayload>(key, c)).OfType<FailurePayload>()
            .GroupBy(f => f.Host, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.MaxBy(f => f.At)!, StringComparer.Ordinal);
        Requests = stored.Where(c => c.Kind == AcmeConfigKind.Renewal && AcmePayloads.Open<RenewalPayload>(key, c) is not null)
            .GroupBy(c => c.Host, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        Orders = stored.Where(c => c.Kind == AcmeConfigKind.Order && AcmePayloads.Open<OrderPayload>(key, c) is not null)
            .GroupBy(c => c.Host, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Min(c => c.CreatedAt), StringComparer.Ordinal);
    }

    public static StoredView Open(StorageKey key, IReadOnlyList<AcmeConfig> stored, DateTimeOffset now) =>
        new(key, stored, [.. stored.Where(c => c.Kind == AcmeConfigKind.Certificate).Select(c => StoredCertificate.Open(key, c).Certificate).OfType<StoredCertificate>()], now);

    public IReadOnlyList<AcmeConfig> Stored { get; }

    public DateTimeOffset Now { get; }

    public IReadOnlyList<StoredCertificate> Certificates { get; }

    /// <summary>Per host, the most recently issued certificate that has not expired: what renewals are planned from.</summary>
    public Dictionary<string, StoredCertificate> Latest { get; }

    /// <summary>Per host, the certificate the edges serve now.</summary>
    public Dictionary<string, StoredCertificate> Serving { get; }

    /// <summary>Per host, its last failed order.</summary>
    public Dictionary<string, FailurePayload> Failures { get; }

    /// <summary>Per host, a renewal request the operator made.</summary>
    public Dictionary<string, AcmeConfig> Requests { get; }

    /// <summary>Per host, since when an order lock is held.</summary>
    public Dictionary<string, DateTimeOffset> Orders { get; }

    /// <summary>Each host with a certificate, an order or a failure, by name.</summary>
    public IReadOnlyList<AcmeHostStatus> Status() =>
        [.. Serving.Keys.Concat(Orders.Keys).Concat(Failures.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(host =>
        {
            var certificate = Serving.GetValueOrDefault(host);
            var failure = Failures.GetValueOrDefault(host);
            return new AcmeHostStatus(host, certificate?.ConfigName, certificate?.NotAfter, Orders.TryGetValue(host, out var since) ? since : null,
                failure?.Error, failure?.Failures ?? 0, failure?.NextAttempt);
        })];
}
