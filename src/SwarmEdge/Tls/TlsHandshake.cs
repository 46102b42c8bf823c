using System.Net.Security;
using System.Security.Authentication;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using SwarmEdge.Admin;

namespace SwarmEdge.Tls;

/// <summary>
/// Each TLS handshake on the HTTPS entrypoint: the certificate for the ClientHello's SNI name (CertificateIndex),
/// TLS 1.2 and 1.3 only, forward-secret AEAD cipher suites only (Mozilla's "intermediate" list without the DHE
/// ones), ALPN h2 then http/1.1. A name no certificate covers, with no default, is refused.
/// </summary>
internal sealed partial class TlsHandshake(CertificateStore store, ILogger<TlsHandshake> logger)
{
    private static readonly List<SslApplicationProtocol> Alpn = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];

    private static readonly CipherSuitesPolicy? Ciphers = OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()
        ? new CipherSuitesPolicy(
        [
            TlsCipherSuite.TLS_AES_128_GCM_SHA256,
            TlsCipherSuite.TLS_AES_256_GCM_SHA384,
            TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
            TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        ])
        : null;

    public ValueTask<SslServerAuthenticationOptions> OnConnection(TlsHandshakeCallbackContext context)
    {
        var name = context.ClientHelloInfo.ServerName;
        if (store.Current.Find(name) is not { Context: { } certificate })
        {
            SwarmEdgeMetrics.TlsRefused.Inc();
            Log.Refused(logger, string.IsNullOrEmpty(name) ? "(no SNI)" : name, context.Connection.RemoteEndPoint?.ToString() ?? "?");
            throw new AuthenticationException($"no certificate for '{name}'");
        }

        return ValueTask.FromResult(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = certificate,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CipherSuitesPolicy = Ciphers,
            ApplicationProtocols = Alpn,
            ClientCertificateRequired = false,
            AllowRenegotiation = false,
        });
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 610, Level = LogLevel.Debug, Message = "TLS handshake for {Name} from {Client} refused: no certificate serves that name")]
        public static partial void Refused(ILogger logger, string name, string client);
    }
}
