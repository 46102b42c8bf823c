using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using DnsClient;
using Microsoft.Extensions.Options;
using SwarmEdge.Admin;
using SwarmEdge.Catalog;
using SwarmEdge.Discovery;

namespace SwarmEdge.Proxy.Middlewares;

/// <summary>
/// Asks forward-auth middlewares' auth services about requests (Traefik's forwardAuth, which Authelia and
/// Authentik document). Fails closed: an auth service that does not answer in Timeout means 503, never a request
/// let through. The address is a tenant's label, so what it may reach is bounded: never the edge itself (loopback)
/// nor link-local addresses (cloud metadata services), whatever the name resolves to. Names are resolved as task
/// names are (SwarmEdge:Dns:Server, Docker's DNS), so a service name means the same to both.
/// </summary>
internal sealed partial class ForwardAuthClient : IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    // Not copied between the client's request, the auth request and the auth answer: they frame one message or
    // one connection. X-Forwarded-* and Forwarded are the edge's to say (below), never the client's.
    private static readonly HashSet<string> NotCopied = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "TE", "Trailer", "Proxy-Connection",
        "Expect", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Prefix", "X-Forwarded-Method", "X-Forwarded-Uri", "Forwarded",
    };

    private static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(10);
    private readonly HttpMessageInvoker _http;
    private readonly ILogger<ForwardAuthClient> _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, long> _lastLogged = new(StringComparer.Ordinal);
    private readonly LookupClient? _dns;

    public ForwardAuthClient(IOptions<SwarmEdgeOptions> options, ILogger<ForwardAuthClient> logger, TimeProvider time)
    {
        _logger = logger;
        _time = time;
        var dns = options.Value.Dns;
        _dns = string.IsNullOrWhiteSpace(dns.Server) ? null : new LookupClient(new LookupClientOptions(TaskDnsWatcher.ParseServer(dns.Server))
        {
            UseCache = false,
            Timeout = dns.Timeout,
            Retries = 1,
            ThrowDnsErrors = false,
            UseTcpFallback = true,
        });
        _http = new HttpMessageInvoker(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(2),
            // Auth services are swarm services too: connections are renewed so a name's new tasks are found.
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            ConnectCallback = ConnectAsync,
        });
    }

    /// <summary>True: the request may go on (with the answer's headers); false: the client's response is written.</summary>
    public async Task<bool> AuthorizeAsync(ForwardAuthMiddleware auth, HttpContext context)
    {
        using var request = Ask(auth, context);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(Timeout);
        HttpResponseMessage answer;
        try
        {
            answer = await _http.SendAsync(request, timeout.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !context.RequestAborted.IsCancellationRequested)
        {
            Refuse(auth, context, ex is OperationCanceledException ? $"no answer within {Timeout.TotalSeconds:0} s" : ex.Message);
            return false;
        }

        using (answer)
        {
            if ((int)answer.StatusCode is >= 200 and < 300)
            {
                // Removed first: a client must not bring the identity headers the auth service did not give it.
                foreach (var header in auth.ResponseHeaders)
                {
                    context.Request.Headers.Remove(header);
                    if (answer.Headers.TryGetValues(header, out var values) || answer.Content.Headers.TryGetValues(header, out values))
                    {
                        context.Request.Headers[header] = values.ToArray();
                    }
                }

                return true;
            }

            var response = context.Response;
            response.StatusCode = (int)answer.StatusCode;
            foreach (var (header, values) in answer.Headers.Concat(answer.Content.Headers))
            {
                if (!NotCopied.Contains(header))
                {
                    response.Headers[header] = values.ToArray();
                }
            }

            try
            {
                await answer.Content.CopyToAsync(response.Body, timeout.Token);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException && !context.RequestAborted.IsCancellationRequested)
            {
                // The status and headers may be out already: the client's response ends short, as the auth service's did.
                context.Abort();
            }

            return false;
        }
    }

    private static HttpRequestMessage Ask(ForwardAuthMiddleware auth, HttpContext context)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, auth.Address) { Version = HttpVersion.Version11 };
        var incoming = context.Request;
        foreach (var (header, values) in incoming.Headers)
        {
            if (!NotCopied.Contains(header) && (auth.RequestHeaders.IsEmpty || auth.RequestHeaders.Contains(header, StringComparer.OrdinalIgnoreCase)))
            {
                request.Headers.TryAddWithoutValidation(header, (IEnumerable<string>)values!);
            }
        }

        var headers = request.Headers;
        headers.TryAddWithoutValidation("X-Forwarded-Method", incoming.Method);
        headers.TryAddWithoutValidation("X-Forwarded-Proto", incoming.Scheme);
        headers.TryAddWithoutValidation("X-Forwarded-Host", incoming.Host.Value);
        headers.TryAddWithoutValidation("X-Forwarded-Uri", $"{incoming.PathBase}{incoming.Path}{incoming.QueryString}");
        if (context.Connection.RemoteIpAddress is { } client)
        {
            headers.TryAddWithoutValidation("X-Forwarded-For", (client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client).ToString());
        }

        return request;
    }

    private void Refuse(ForwardAuthMiddleware auth, HttpContext context, string error)
    {
        SwarmEdgeMetrics.ForwardAuthFailures.WithLabels(auth.Name).Inc();
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        // Said once in a while, not per request: a dead auth service under load must not flood the log.
        var now = _time.GetTimestamp();
        var key = $"{auth.Owner}/{auth.Name}";
        if (!_lastLogged.TryGetValue(key, out var last) || _time.GetElapsedTime(last, now) >= LogEvery)
        {
            _lastLogged[key] = now;
            Log.AuthServiceFailed(_logger, auth.Name, auth.Owner, auth.Address, error);
        }
    }

    /// <summary>Whether an auth service may be reached at this address: not the edge itself, not link-local.</summary>
    internal static bool MayConnect(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)
            || address.IsIPv6LinkLocal || address.IsIPv6Multicast)
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var first = address.GetAddressBytes();
            return !(first[0] == 169 && first[1] == 254) && first[0] is not (0 or >= 224);
        }

        return true;
    }

    private async Task<IPAddress[]> ResolveAsync(string host, CancellationToken token)
    {
        if (_dns is null)
        {
            return await Dns.GetHostAddressesAsync(host, token);
        }

        var answer = await _dns.QueryAsync(host, QueryType.A, QueryClass.IN, token);
        return answer.HasError ? throw new HttpRequestException($"{host} cannot be resolved: {answer.ErrorMessage}") : [.. answer.Answers.ARecords().Select(a => a.Address)];
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext connection, CancellationToken token)
    {
        var endpoint = connection.DnsEndPoint;
        var addresses = (await ResolveAsync(endpoint.Host, token)).Where(MayConnect).ToArray();
        if (addresses.Length == 0)
        {
            throw new HttpRequestException($"{endpoint.Host} resolves to no address an auth service may have (loopback and link-local addresses are refused)");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, endpoint.Port, token);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => _http.Dispose();

    private static partial class Log
    {
        [LoggerMessage(EventId = 1120, Level = LogLevel.Warning,
            Message = "Forward-auth middleware {Middleware} of {Tenant}: the auth service at {Address} did not answer ({Error}); its routes' requests get 503")]
        public static partial void AuthServiceFailed(ILogger logger, string middleware, string tenant, string address, string error);
    }
}
