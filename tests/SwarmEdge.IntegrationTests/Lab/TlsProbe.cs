using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace SwarmEdge.IntegrationTests.Lab;

/// <summary>One TLS handshake, to see which certificate an endpoint presents for a name (any chain accepted).</summary>
internal static class TlsProbe
{
    public static async Task<string> ThumbprintAsync(string address, int port, string serverName)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(address, port);
        await using var tls = new SslStream(client.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        }).WaitAsync(TimeSpan.FromSeconds(5));
        return new X509Certificate2(tls.RemoteCertificate!).Thumbprint;
    }
}
