using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Connections;
using SwarmEdge.Admin;

namespace SwarmEdge.Proxy.Limits;

/// <summary>
/// SwarmEdge:Limits:MaxConnectionsPerClient on every listener, as Kestrel connection middleware: a client
/// address (an IPv6 /64) holding that many connections has its next one closed before a byte is read. This is
/// what holds off slow-header floods from one source; there is no request yet to answer with a status.
/// </summary>
internal sealed partial class ClientConnectionLimiter(int perClient, ILogger<ClientConnectionLimiter> logger)
{
    private readonly PartitionedRateLimiter<ClientAddress> _limiter = PartitionedRateLimiter.Create<ClientAddress, ClientAddress>(
        client => RateLimitPartition.GetConcurrencyLimiter(client, _ => new ConcurrencyLimiterOptions
        {
            PermitLimit = perClient,
            QueueLimit = 0,
        }));

    public ConnectionDelegate Wrap(ConnectionDelegate next) => async connection =>
    {
        var address = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        using var lease = _limiter.AttemptAcquire(ClientAddress.Of(address));
        if (!lease.IsAcquired)
        {
            SwarmEdgeMetrics.ClientLimitRejections.WithLabels("connections").Inc();
            Log.Refused(logger, address?.ToString() ?? "?", perClient);
            return;
        }

        await next(connection);
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = 340, Level = LogLevel.Debug,
            Message = "Closed a connection from {Client}: it already holds {Limit} (SwarmEdge:Limits:MaxConnectionsPerClient)")]
        public static partial void Refused(ILogger logger, string client, int limit);
    }
}
