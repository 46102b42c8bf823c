using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace SwarmEdge.IntegrationTests.Lab;

/// <summary>
/// How a test's HttpClient talks HTTPS to the edge: names in URLs (so SNI carries them) connected to the edge's
/// address, certificates trusted only when the lab CA signed them, optionally HTTP/2.
/// </summary>
internal sealed record HttpsClient(IPEndPoint Edge, X509Certificate2 Ca, Version? Version = null)
{
    public void Configure(SocketsHttpHandler handler)
    {
        handler.ConnectCallback = async (_, ct) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(Edge, ct);
            return new NetworkStream(socket, ownsSocket: true);
        };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) => Trusts(certificate, errors, chain);
    }

    public HttpClient Client(TimeSpan timeout)
    {
        var handler = new SocketsHttpHandler();
        Configure(handler);
        return new HttpClient(handler)
        {
            Timeout = timeout,
            DefaultRequestVersion = Version ?? HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    /// <summary>
    /// Name checks as the platform does them; the chain only against the lab CA, through the intermediates the
    /// server presented (an ACME CA's leaf is signed by an intermediate).
    /// </summary>
    public bool Trusts(X509Certificate? certificate, SslPolicyErrors errors, X509Chain? presented = null)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
        }

        return chain.Build(new X509Certificate2(certificate));
    }
}
