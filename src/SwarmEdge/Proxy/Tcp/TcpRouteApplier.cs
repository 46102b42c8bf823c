using Microsoft.Extensions.Options;
using SwarmEdge.Catalog;

namespace SwarmEdge.Proxy.Tcp;

/// <summary>
/// The only thing that changes the TCP routes: swaps the table when the catalog's TCP routes changed and
/// starts draining the connections of tasks that left. New connections never go to a departed task, since
/// they pick from the new table.
/// </summary>
internal sealed partial class TcpRouteApplier(
    TcpRouteTable table,
    TcpConnections connections,
    IOptions<SwarmEdgeOptions> options,
    ILogger<TcpRouteApplier> logger)
{
    private readonly TimeSpan _drain = options.Value.Tcp.DrainTimeout;

    public bool Apply(ServiceCatalog catalog)
    {
        var next = TcpRouteTable.Build(catalog);
        var current = table.Routes;
        if (next.Count == current.Count && next.All(t => current.TryGetValue(t.Key, out var c) && c.Equals(t.Value)))
        {
            return false;
        }

        table.Swap(next);
        var kept = next.Values.SelectMany(r => r.Targets).SelectMany(t => t.Endpoints).Select(e => e.TaskId).ToHashSet(StringComparer.Ordinal);
        var departed = current.Values.SelectMany(r => r.Targets).SelectMany(t => t.Endpoints).Select(e => e.TaskId)
            .Where(id => !kept.Contains(id)).Distinct().ToList();
        Log.Applied(logger, next.Count, next.Values.SelectMany(r => r.Targets).Sum(t => t.Endpoints.Length));
        if (departed.Count > 0 && connections.Drain(departed, _drain) is var drained and > 0)
        {
            Log.Draining(logger, drained, string.Join(",", departed), _drain);
        }

        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 510, Level = LogLevel.Information, Message = "Applied TCP routes: {Routes} entrypoints, {Endpoints} endpoints")]
        public static partial void Applied(ILogger logger, int routes, int endpoints);

        [LoggerMessage(EventId = 511, Level = LogLevel.Information,
            Message = "Draining {Count} TCP connections of departed tasks [{Tasks}]: closed in {Drain} unless they end first")]
        public static partial void Draining(ILogger logger, int count, string tasks, TimeSpan drain);
    }
}
