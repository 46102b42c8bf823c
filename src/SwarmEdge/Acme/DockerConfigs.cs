using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Options;
using SwarmEdge.Discovery;

namespace SwarmEdge.Acme;

/// <summary>
/// SwarmEdge's configs in the swarm, through the Docker API: listed by label, created, removed. Raw HTTP, because
/// the Docker client library lists configs only unfiltered, which would hand an edge every application's configs
/// (the socket proxy lets through exactly these filtered requests and nothing wider). The requests are built the
/// same way every time, so the issuer's socket proxy can check them whole. Endpoints are tried in order from the
/// last one that answered, like DockerApi.
/// </summary>
internal sealed class DockerConfigs : IDisposable
{
    private const int MaxDataLength = 128 * 1024;
    private const long MaxListBytes = 32L * 1024 * 1024;
    private readonly HttpClient[] _clients;
    private int _current;

    public DockerConfigs(IOptions<SwarmEdgeOptions> options)
    {
        var docker = options.Value.Docker;
        _clients = [.. docker.Endpoints.Select(e => Client(e, docker.RequestTimeout))];
    }

    /// <summary>The certificates (what an edge reads), or every SwarmEdge config (what the issuer reads).</summary>
    public Task<IReadOnlyList<AcmeConfig>> ListAsync(AcmeConfigKind? kind, CancellationToken ct)
    {
        var label = kind is { } k ? $"{AcmeConfigNames.KindLabel}={AcmeConfigNames.LabelValue(k)}" : AcmeConfigNames.KindLabel;
        var query = "filters=" + Uri.EscapeDataString($"{{\"label\":{{\"{label}\":true}}}}");
        return SendAsync(() => new HttpRequestMessage(HttpMethod.Get, "/configs?" + query), async response =>
        {
            response.EnsureSuccessStatusCode();
            // Buffered, so the client's MaxResponseContentBufferSize bounds what a flood of configs can cost.
            using var document = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(ct));
            return (IReadOnlyList<AcmeConfig>)[.. document.RootElement.EnumerateArray().Select(Parse).OfType<AcmeConfig>()];
        }, ct);
    }

    /// <summary>Creates a config; false when one of that name exists already (an order lock someone holds).</summary>
    public Task<bool> CreateAsync(string name, AcmeConfigKind kind, string host, byte[] data, CancellationToken ct)
    {
        // Always these keys in this order: the issuer's socket proxy matches the body whole.
        using var body = new MemoryStream();
        // Relaxed escaping: base64's '+' stays '+' (the default writes \u002B), so the body has one spelling.
        using (var json = new Utf8JsonWriter(body, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("Name", name);
            json.WriteStartObject("Labels");
            json.WriteString(AcmeConfigNames.KindLabel, AcmeConfigNames.LabelValue(kind));
            json.WriteString(AcmeConfigNames.HostLabel, host);
            json.WriteEndObject();
            json.WriteString("Data", Convert.ToBase64String(data));
            json.WriteEndObject();
        }

        var content = body.ToArray();
        return SendAsync(() => new HttpRequestMessage(HttpMethod.Post, "/configs/create")
        {
            Content = new ByteArrayContent(content) { Headers = { ContentType = new("application/json") } },
        }, async response =>
        {
            if (response.StatusCode == HttpStatusCode.Conflict)
            {
                return false;
            }

            await ThrowUnlessSuccessAsync(response, $"creating config {name}", ct);
            return true;
        }, ct);
    }

    /// <summary>Removes a config by name; one already gone is no error.</summary>
    public Task RemoveAsync(string name, CancellationToken ct) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, "/configs/" + name), async response =>
        {
            if (response.StatusCode != HttpStatusCode.NotFound)
            {
                await ThrowUnlessSuccessAsync(response, $"removing config {name}", ct);
            }

            return true;
        }, ct);

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }

    private async Task<T> SendAsync<T>(Func<HttpRequestMessage> request, Func<HttpResponseMessage, Task<T>> read, CancellationToken ct)
    {
        var start = Volatile.Read(ref _current);
        for (var attempt = 0; ; attempt++)
        {
            var index = (start + attempt) % _clients.Length;
            try
            {
                using var message = request();
                using var response = await _clients[index].SendAsync(message, ct);
                if ((int)response.StatusCode >= 500 && attempt + 1 < _clients.Length)
                {
                    continue;
                }

                var result = await read(response);
                Volatile.Write(ref _current, index);
                return result;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested && attempt + 1 < _clients.Length)
            {
                // The next manager.
            }
        }
    }

    private static async Task ThrowUnlessSuccessAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            throw new HttpRequestException($"{what}: {(int)response.StatusCode} {text.Trim()}", null, response.StatusCode);
        }
    }

    private static AcmeConfig? Parse(JsonElement config)
    {
        var spec = config.GetProperty("Spec");
        if (!spec.TryGetProperty("Labels", out var labels) || labels.ValueKind != JsonValueKind.Object
            || !labels.TryGetProperty(AcmeConfigNames.KindLabel, out var kindLabel)
            || !AcmeConfigNames.TryParseKind(kindLabel.GetString(), out var kind))
        {
            return null;
        }

        var host = labels.TryGetProperty(AcmeConfigNames.HostLabel, out var hostLabel) ? hostLabel.GetString() ?? "" : "";
        // Ours are a few kilobytes; a config that someone labelled like ours and filled is not decoded.
        if (!spec.TryGetProperty("Data", out var d) || d.ValueKind != JsonValueKind.String || d.GetString()!.Length > MaxDataLength)
        {
            return null;
        }

        var data = d.GetBytesFromBase64();
        var created = config.TryGetProperty("CreatedAt", out var c) && c.TryGetDateTimeOffset(out var at) ? at : DateTimeOffset.MinValue;
        return new AcmeConfig(config.GetProperty("ID").GetString() ?? "", spec.GetProperty("Name").GetString() ?? "", kind, host, created, data);
    }

    private static HttpClient Client(string endpoint, TimeSpan timeout)
    {
        // SwarmEdgeOptionsValidator has checked every endpoint's form at start.
        DockerEndpoint.TryParse(endpoint, out var uri);
        if (uri.Scheme == "unix")
        {
            var path = uri.AbsolutePath;
            var handler = new SocketsHttpHandler
            {
                ConnectCallback = async (_, token) =>
                {
                    var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    try
                    {
                        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), token);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                },
            };
            return new HttpClient(handler) { BaseAddress = new Uri("http://docker"), Timeout = timeout, MaxResponseContentBufferSize = MaxListBytes };
        }

        var scheme = uri.Scheme == "https" ? "https" : "http";
        return new HttpClient { BaseAddress = new Uri($"{scheme}://{uri.Authority}"), Timeout = timeout, MaxResponseContentBufferSize = MaxListBytes };
    }
}
