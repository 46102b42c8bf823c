using System.Collections.Immutable;
using SwarmEdge.Catalog;

namespace SwarmEdge.Admin;

/// <summary>
/// What SwarmEdge currently serves and how its observers are doing, published by the discovery loop and read
/// by the admin API. Readers get an immutable view; the loop swaps it whole.
/// </summary>
internal sealed class EdgeStatus
{
    private volatile View _view = new(ServiceCatalog.Empty, ImmutableDictionary<string, ImmutableArray<string>>.Empty, false, null, null);

    public View Current => _view;

    /// <summary>After a successful read of the swarm: from now on SwarmEdge is ready.</summary>
    public void PublishRead(ServiceCatalog catalog, ImmutableDictionary<string, ImmutableArray<string>> applyErrors, DateTimeOffset readAt) =>
        _view = _view with { Catalog = catalog, ApplyErrors = applyErrors, Ready = true, LastReadAt = readAt, DockerError = null };

    /// <summary>After a rebuild without a read (a DNS change, or a read that failed).</summary>
    public void PublishCatalog(ServiceCatalog catalog, ImmutableDictionary<string, ImmutableArray<string>> applyErrors) =>
        _view = _view with { Catalog = catalog, ApplyErrors = applyErrors };

    public void ReportDockerError(string error) => _view = _view with { DockerError = error };

    /// <summary>Ready: routes were built from at least one successful read of the swarm.</summary>
    internal sealed record View(
        ServiceCatalog Catalog,
        ImmutableDictionary<string, ImmutableArray<string>> ApplyErrors,
        bool Ready,
        DateTimeOffset? LastReadAt,
        string? DockerError);
}
