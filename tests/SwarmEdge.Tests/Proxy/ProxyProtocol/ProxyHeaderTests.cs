using System.Buffers;
using System.Net;
using System.Text;
using SwarmEdge.Proxy.ProxyProtocol;

namespace SwarmEdge.Tests.Proxy.ProxyProtocol;

/// <summary>PROXY protocol headers as haproxy.org's proxy-protocol.txt spells them, whole, cut short, and forged.</summary>
public class ProxyHeaderTests
{
    private static readonly byte[] V2Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    private static ProxyHeaderResult Read(byte[] bytes) => ProxyHeader.Read(new ReadOnlySequence<byte>(bytes));

    private static ProxyHeaderResult Read(string text) => Read(Encoding.ASCII.GetBytes(text));

    /// <summary>A version 2 header: command (0 LOCAL, 1 PROXY), family/transport byte, addresses and ports, then TLVs.</summary>
    private static byte[] V2(int command, byte familyTransport, byte[] addresses, byte[]? tlvs = null, int version = 2)
    {
        var payload = addresses.Concat(tlvs ?? []).ToArray();
        return [.. V2Signature, (byte)((version << 4) | command), familyTransport, (byte)(payload.Length >> 8), (byte)payload.Length, .. payload];
    }

    private static byte[] Ipv4Addresses(string source, int sourcePort) =>
        [.. IPAddress.Parse(source).GetAddressBytes(), 10, 0, 0, 1, (byte)(sourcePort >> 8), (byte)sourcePort, 0, 80];

    [Theory]
    [InlineData("PROXY TCP4 203.0.113.7 10.0.0.1 51234 80\r\n", "203.0.113.7:51234")]
    [InlineData("PROXY TCP6 2001:db8::7 2001:db8::1 443 8443\r\n", "[2001:db8::7]:443")]
    [InlineData("PROXY TCP4 198.51.100.1 10.0.0.1 0 80\r\n", "198.51.100.1:0")]
    public void A_version_1_header_names_the_client(string header, string client)
    {
        var result = Read(header + "GET / HTTP/1.1\r\n");

        Assert.Equal(ProxyHeaderStatus.Read, result.Status);
        Assert.Equal(IPEndPoint.Parse(client), result.Client);
        Assert.Equal(header.Length, result.Length);
    }

    [Fact]
    public void Version_1_unknown_is_refused_it_would_leave_the_balancer_as_the_client()
    {
        var result = Read("PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\nGET /");

        Assert.Equal((ProxyHeaderStatus.Invalid, "a version 1 header of an UNKNOWN connection names no client"), (result.Status, result.Error));
    }

    [Theory]
    [InlineData("")]
    [InlineData("P")]
    [InlineData("PROXY")]
    [InlineData("PROXY TCP4 203.0.113.7 10.0.0.1 51234 80")]
    [InlineData("PROXY TCP4 203.0.113.7 10.0.0.1 51234 80\r")]
    public void A_version_1_header_cut_short_needs_more(string bytes)
    {
        Assert.Equal(bytes.Length == 0 ? ProxyHeaderStatus.Invalid : ProxyHeaderStatus.Incomplete, Read(bytes).Status);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n")]
    [InlineData("POST / HTTP/1.1\r\n")]
    [InlineData("PROPFIND / HTTP/1.1\r\n")]
    [InlineData("\u0016\u0003\u0001")] // a TLS ClientHello
    [InlineData("PROXY TCP4 203.0.113.7\r\n")]
    [InlineData("PROXY TCP5 203.0.113.7 10.0.0.1 51234 80\r\n")]
    [InlineData("PROXY TCP4 2001:db8::7 10.0.0.1 51234 80\r\n")]
    [InlineData("PROXY TCP6 203.0.113.7 2001:db8::1 51234 80\r\n")]
    [InlineData("PROXY TCP4 203.0.113 10.0.0.1 51234 80\r\n")]
    [InlineData("PROXY TCP4 203.0.113.7 10.0.0.1 65536 80\r\n")]
    [InlineData("PROXY TCP4 203.0.113.7 10.0.0.1 0123 80\r\n")]
    [InlineData("PROXY TCP4 203.0.113.7 10.0.0.1 -1 80\r\n")]
    [InlineData("PROXY TCP6 fe80::1%eth0 2001:db8::1 51234 80\r\n")]
    [InlineData("PROXY  TCP4 203.0.113.7 10.0.0.1 51234 80\r\n")]
    [InlineData("proxy TCP4 203.0.113.7 10.0.0.1 51234 80\r\n")]
    public void Anything_else_is_invalid(string bytes)
    {
        var result = Read(bytes);

        Assert.Equal(ProxyHeaderStatus.Invalid, result.Status);
        Assert.Null(result.Client);
        Assert.NotNull(result.Error);
    }

    [Fact]
    public void A_version_1_line_longer_than_the_specification_allows_is_invalid_without_its_end()
    {
        Assert.Equal(ProxyHeaderStatus.Invalid, Read("PROXY TCP4 " + new string('1', 200)).Status);
        Assert.Equal(ProxyHeaderStatus.Invalid, Read("PROXY UNKNOWN " + new string('x', 100) + "\r\n").Status);
    }

    [Fact]
    public void A_version_2_header_names_the_client_and_skips_its_tlvs()
    {
        byte[] tlvs = [0x01, 0x00, 0x02, (byte)'h', (byte)'2', 0x04, 0x00, 0x01, 0x00];
        var header = V2(1, 0x11, Ipv4Addresses("203.0.113.7", 51234), tlvs);

        var result = Read([.. header, .. "GET / HTTP/1.1\r\n"u8.ToArray()]);

        Assert.Equal(ProxyHeaderStatus.Read, result.Status);
        Assert.Equal(IPEndPoint.Parse("203.0.113.7:51234"), result.Client);
        Assert.Equal(header.Length, result.Length);
    }

    [Fact]
    public void A_version_2_ipv6_header_names_the_client()
    {
        byte[] addresses = [.. IPAddress.Parse("2001:db8::7").GetAddressBytes(), .. IPAddress.Parse("2001:db8::1").GetAddressBytes(), 0x01, 0xBB, 0x20, 0xFB];

        var result = Read(V2(1, 0x21, addresses));

        Assert.Equal(IPEndPoint.Parse("[2001:db8::7]:443"), result.Client);
        Assert.Equal(16 + 36, result.Length);
    }

    [Theory]
    [InlineData(0x11)]
    [InlineData(0x00)]
    public void A_version_2_local_connection_is_the_balancer_s_own_and_names_no_client(byte familyTransport)
    {
        var header = V2(0, familyTransport, Ipv4Addresses("203.0.113.7", 1));

        var result = Read(header);

        Assert.Equal((ProxyHeaderStatus.Read, (IPEndPoint?)null, (long)header.Length), (result.Status, result.Client, result.Length));
    }

    [Theory]
    [InlineData(0x00)] // PROXY, unspecified family
    [InlineData(0x12)] // UDP over IPv4
    [InlineData(0x31)] // a UNIX socket
    public void A_version_2_proxied_connection_that_names_no_tcp_client_is_refused(byte familyTransport)
    {
        Assert.Equal(ProxyHeaderStatus.Invalid, Read(V2(1, familyTransport, Ipv4Addresses("203.0.113.7", 1))).Status);
    }

    [Fact]
    public void A_version_2_header_cut_anywhere_needs_more()
    {
        var header = V2(1, 0x11, Ipv4Addresses("203.0.113.7", 51234));
        for (var length = 1; length < header.Length; length++)
        {
            Assert.Equal(ProxyHeaderStatus.Incomplete, Read(header[..length]).Status);
        }
    }

    [Theory]
    [InlineData(1, 2, 1)] // version 1 in a version 2 header
    [InlineData(3, 2, 1)] // version 3
    [InlineData(2, 2, 2)] // command 2
    public void A_version_2_header_of_another_version_or_command_is_invalid(int version, int _, int command)
    {
        Assert.Equal(ProxyHeaderStatus.Invalid, Read(V2(command, 0x11, Ipv4Addresses("203.0.113.7", 1), version: version)).Status);
    }

    [Fact]
    public void A_version_2_header_too_short_for_its_addresses_or_too_long_is_invalid()
    {
        Assert.Equal(ProxyHeaderStatus.Invalid, Read(V2(1, 0x11, [10, 0, 0, 1, 10, 0, 0, 2])).Status);
        Assert.Equal(ProxyHeaderStatus.Invalid, Read(V2(1, 0x21, Ipv4Addresses("203.0.113.7", 1))).Status);
        byte[] huge = [.. V2Signature, 0x21, 0x11, 0xFF, 0xFF];
        Assert.Equal(ProxyHeaderStatus.Invalid, Read(huge).Status);
    }

    [Fact]
    public void A_header_split_over_segments_reads_the_same()
    {
        var bytes = Encoding.ASCII.GetBytes("PROXY TCP4 203.0.113.7 10.0.0.1 51234 80\r\nGET /");
        var first = new Segment(bytes[..9]);
        var last = first.Append(bytes[9..20]).Append(bytes[20..]);

        var result = ProxyHeader.Read(new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length));

        Assert.Equal(IPEndPoint.Parse("203.0.113.7:51234"), result.Client);
        Assert.Equal(bytes.Length - 5, result.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] bytes) => Memory = bytes;

        public Segment Append(byte[] bytes)
        {
            var next = new Segment(bytes) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
