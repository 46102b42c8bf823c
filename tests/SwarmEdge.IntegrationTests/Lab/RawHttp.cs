using System.Net.Sockets;
using System.Text;

namespace SwarmEdge.IntegrationTests.Lab;

/// <summary>Bytes on a TCP connection, for requests no HTTP client would send (smuggling, encoded paths, HTTP/1.0).</summary>
internal static class RawHttp
{
    /// <summary>
    /// Writes the request as it is and reads what comes back: until the end of the response headers when
    /// headersOnly (a stream may never end), else until the peer closes; or until the timeout. A reset after the
    /// answer (a refusal may close before the request was read to its end) ends the read like a close.
    /// </summary>
    public static async Task<string> SendAsync(string host, int port, string request, TimeSpan timeout, bool headersOnly = false)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(host, port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        var received = new StringBuilder();
        var buffer = new byte[8192];
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (!(headersOnly && received.ToString().Contains("\r\n\r\n")))
            {
                var n = await stream.ReadAsync(buffer, cts.Token);
                if (n == 0)
                {
                    break;
                }

                received.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
        }

        return received.ToString();
    }
}
