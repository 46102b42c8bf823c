namespace SwarmEdge.Tls;

/// <summary>One certificate as the admin API shows it. Error: why its file cannot be served now (Serving may
/// still be true: its last good version serves until the file is fixed).</summary>
internal sealed record CertificateStatus(
    string Name,
    string File,
    IReadOnlyList<string> Hosts,
    DateTimeOffset? NotAfter,
    double? DaysLeft,
    bool Serving,
    bool IsDefault,
    string? Error);
