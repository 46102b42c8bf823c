using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace SwarmEdge.Acme;

/// <summary>
/// Before an HTTP-01 order, the issuer asks every edge (SwarmEdge:Acme:Edges, each name resolved to all its
/// addresses: tasks.edge gives every edge task) for a token of its own on the host being ordered, and answers it
/// itself on the challenge port. Only when every edge brings the answer back is the CA asked: an edge that has not
/// yet seen the new service would answer the CA's check with 404, and a failed validation costs the CA's
/// rate limit and a retry wait. The same self-check cert-manager runs before it presents a challenge.
/// </summary>
internal sealed class ChallengeRouteCheck(IOptions<SwarmEdgeOptions> options)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);
    private readonly AcmeOptions _acme = options.Value.Acme;

    /// <summary>The edges (address:port) that did not bring this issuer's answer back for the host; empty: all did.</summary>
    public async Task<IReadOnlyList<string>> UnroutedAsync(string host, CancellationToken ct)
    {
        if (_acme.Edges.Length == 0)
        {
            return [];
        }

        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(24));
        var answer = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(24));
        using var listener = new HttpListener { IgnoreWriteExceptions = true };
        listener.Prefixes.Add($"http://+:{_acme.ChallengePort}/");
        listener.Start();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var answering = AnswerAsync(listener, $"/.well-known/acme-challenge/{token}", answer, stop.Token);
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.Zero })
            {
                Timeout = Timeout,
            };
            var edges = await EdgeAddressesAsync(ct);
            var checks = edges.Select(async edge => await AnswersAsync(http, edge, host, token, answer, ct) ? null : edge);
            return (await Task.WhenAll(checks)).OfType<string>().ToList();
        }
        finally
        {
            await stop.CancelAsync();
            listener.Stop();
            await answering;
        }
    }

    private async Task<List<string>> EdgeAddressesAsync(CancellationToken ct)
    {
        var addresses = new List<string>();
        foreach (var edge in _acme.Edges)
        {
            var (name, port) = Split(edge);
            try
            {
                var resolved = IPAddress.TryParse(name, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(name, ct);
                addresses.AddRange(resolved.Length == 0 ? [edge] : resolved.Select(a => new IPEndPoint(a, port).ToString()));
            }
            catch (System.Net.Sockets.SocketException)
            {
                // No edge under that name yet: it counts as one that does not route.
                addresses.Add(edge);
            }
        }

        return addresses;
    }

    private static async Task<bool> AnswersAsync(HttpClient http, string edge, string host, string token, string answer, CancellationToken ct)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{edge}/.well-known/acme-challenge/{token}");
            request.Headers.Host = host;
            request.Headers.ConnectionClose = true;
            using var response = await http.SendAsync(request, ct);
            return response.StatusCode == HttpStatusCode.OK && await response.Content.ReadAsStringAsync(ct) == answer;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return false;
        }
    }

    private static async Task AnswerAsync(HttpListener listener, string path, string answer, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync().WaitAsync(ct);
            }
            catch (Exception ex) when (ex is OperationCanceledException or HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var response = context.Response;
            response.KeepAlive = false;
            if (context.Request.Url?.AbsolutePath == path)
            {
                var body = System.Text.Encoding.ASCII.GetBytes(answer);
                response.ContentType = "text/plain";
                response.ContentLength64 = body.Length;
                await response.OutputStream.WriteAsync(body, CancellationToken.None);
            }
            else
            {
                response.StatusCode = (int)HttpStatusCode.NotFound;
            }
        }
    }

    internal static (string Name, int Port) Split(string edge)
    {
        var colon = edge.LastIndexOf(':');
        return colon > 0 && int.TryParse(edge.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
                         && port is >= 1 and <= 65535
            ? (edge[..colon].Trim('[', ']'), port)
            : ("", 0);
    }
}
