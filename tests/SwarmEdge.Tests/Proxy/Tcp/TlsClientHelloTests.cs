using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using SwarmEdge.Proxy.Tcp;

namespace SwarmEdge.Tests.Proxy.Tcp;

/// <summary>The SNI reader on ClientHellos that .NET's own TLS client (OpenSSL underneath) sends.</summary>
public class TlsClientHelloTests
{
    /// <summary>The first bytes an SslStream client sends to a listener that never answers.</summary>
    private static async Task<byte[]> ClientHelloAsync(string targetHost)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var server = await listener.AcceptTcpClientAsync();
        var tls = new SslStream(client.GetStream(), false, (_, _, _, _) => true);
        var handshake = tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = targetHost });
        var received = new MemoryStream();
        var buffer = new byte[TlsClientHello.MaxRecord];
        while (TlsClientHello.TryRead(new ReadOnlySequence<byte>(received.ToArray()), out _) == TlsClientHello.Outcome.NeedMore)
        {
            var n = await server.GetStream().ReadAsync(buffer);
            Assert.True(n > 0);
            received.Write(buffer, 0, n);
        }

        // Closing our end under the client's handshake ends it: its hello was all we wanted.
        client.Close();
        var ended = await Record.ExceptionAsync(() => handshake);
        Assert.True(ended is IOException or ObjectDisposedException or AuthenticationException, $"the handshake ended with {ended}");
        return received.ToArray();
    }

    [Theory]
    [InlineData("db.example.com")]
    [InlineData("Echo.Example.COM")]
    public async Task The_server_name_is_read_from_a_real_client_hello(string host)
    {
        var hello = await ClientHelloAsync(host);

        Assert.Equal(TlsClientHello.Outcome.Hello, TlsClientHello.TryRead(new ReadOnlySequence<byte>(hello), out var name));
        Assert.Equal(host.ToLowerInvariant(), name);
    }

    [Fact]
    public async Task A_hello_in_pieces_needs_more_until_the_record_is_whole()
    {
        var hello = await ClientHelloAsync("db.example.com");

        foreach (var length in new[] { 0, 1, 4, 5, 40, hello.Length - 1 })
        {
            Assert.Equal(TlsClientHello.Outcome.NeedMore, TlsClientHello.TryRead(new ReadOnlySequence<byte>(hello[..length]), out _));
        }
    }

    [Fact]
    public async Task A_client_that_sends_no_server_name_is_a_hello_without_one()
    {
        var hello = await ClientHelloAsync("127.0.0.1"); // no SNI for an address

        Assert.Equal(TlsClientHello.Outcome.Hello, TlsClientHello.TryRead(new ReadOnlySequence<byte>(hello), out var name));
        Assert.Null(name);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n\r\n")]
    [InlineData("SSH-2.0-OpenSSH_9.2\r\n")]
    public void Other_protocols_are_not_tls(string text) =>
        Assert.Equal(TlsClientHello.Outcome.NotTls, TlsClientHello.TryRead(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text)), out _));

    [Fact]
    public void A_record_that_claims_more_than_a_tls_record_holds_is_not_tls() =>
        Assert.Equal(TlsClientHello.Outcome.NotTls, TlsClientHello.TryRead(new ReadOnlySequence<byte>([0x16, 3, 1, 0xFF, 0xFF, 1]), out _));

    [Fact]
    public async Task A_record_too_short_for_the_hello_it_holds_is_not_tls()
    {
        var hello = await ClientHelloAsync("db.example.com");
        var cut = hello[..55];
        cut[3] = 0;
        cut[4] = 50; // the record now ends inside the ClientHello's vectors

        Assert.Equal(TlsClientHello.Outcome.NotTls, TlsClientHello.TryRead(new ReadOnlySequence<byte>(cut), out _));
    }
}
