using System.Collections.Immutable;
using SwarmEdge.Catalog;

namespace SwarmEdge.Admin;

/// <summary>
/// What SwarmEdge currently serves and how its observers are doing: published whole by the discovery loop, read
/// by the admin API. The only source of discovery status.
/// </summary>
internal sealed class EdgeStatus
{
    private volatile View _view = View.Starting;

    public View Current => _view;

    public void Publish(View view) => _view = view;

    /// <summary>
    /// Ready: routes were built from at least one successful full read of the swarm. DockerEndpoint is the
    /// manager endpoint the last read went to; DnsErrors the services whose latest DNS lookup failed; RoutesFile how
    /// the routes file's last read went (null when there is none); Nodes the swarm's nodes by ID, as last read.
    /// </summary>
    internal sealed record View(
        ServiceCatalog Catalog,
        ImmutableDictionary<string, ImmutableArray<string>> ApplyErrors,
        bool Ready,
        DateTimeOffset? LastReadAt,
        string? DockerError,
        string? DockerEndpoint,
        ImmutableDictionary<string, string> DnsErrors,
        RoutesFileStatus? RoutesFile = null,
        ImmutableDictionary<string, Discovery.SwarmNode>? Nodes = null)
    {
        public static readonly View Starting = new(
            ServiceCatalog.Empty, ImmutableDictionary<string, ImmutableArray<string>>.Empty, false, null, null, null,
            ImmutableDictionary<string, string>.Empty);
    }

    /// <summary>The routes file: when it was last read as it is now, how many services it gave, and its error if the last read failed.</summary>
    internal sealed record RoutesFileStatus(string Path, DateTimeOffset? ReadAt, int Services, string? Error);
}
