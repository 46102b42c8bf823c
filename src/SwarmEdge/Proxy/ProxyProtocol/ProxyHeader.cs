using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;

namespace SwarmEdge.Proxy.ProxyProtocol;

/// <summary>What reading the start of a connection as a PROXY protocol header gave.</summary>
internal enum ProxyHeaderStatus
{
    /// <summary>More bytes are needed to tell.</summary>
    Incomplete,

    /// <summary>A header was read: Client is the client it names (null: none named, the peer is the client).</summary>
    Read,

    /// <summary>Not a valid header: Error says why.</summary>
    Invalid,
}

/// <summary>The outcome of one read: the status, the client named, how many bytes the header took, or the error.</summary>
internal readonly record struct ProxyHeaderResult(ProxyHeaderStatus Status, IPEndPoint? Client, long Length, string? Error)
{
    public static ProxyHeaderResult Incomplete => new(ProxyHeaderStatus.Incomplete, null, 0, null);

    public static ProxyHeaderResult Invalid(string error) => new(ProxyHeaderStatus.Invalid, null, 0, error);
}

/// <summary>
/// The PROXY protocol header a load balancer sends before the client's bytes (haproxy.org's proxy-protocol.txt,
/// versions 1 and 2), read from the bytes received so far. A pure function: no I/O, no state. Only the source
/// address is used (the client); the destination and version 2's TLVs are skipped. Version 2's LOCAL, a balancer's
/// own connection (its health check), names no client. A header that proxies a client without naming it (version
/// 1's UNKNOWN, version 2 over UDP, a UNIX socket or no family) is refused: the connection would count as the
/// balancer's, whose X-Forwarded-For is believed, and the client behind it could name itself there.
/// </summary>
internal static class ProxyHeader
{
    /// <summary>Version 1's longest line, CRLF included (the specification's 107 bytes).</summary>
    public const int MaxV1Length = 107;

    /// <summary>Version 2's addresses and TLVs beyond this are refused: no balancer sends that many, and it bounds memory.</summary>
    public const int MaxV2PayloadLength = 4096;

    private static readonly byte[] V1Signature = "PROXY "u8.ToArray();
    private static readonly byte[] V2Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    public static ProxyHeaderResult Read(ReadOnlySequence<byte> buffer)
    {
        Span<byte> start = stackalloc byte[V2Signature.Length];
        var have = (int)Math.Min(buffer.Length, start.Length);
        buffer.Slice(0, have).CopyTo(start);
        start = start[..have];

        if (StartsLike(start, V2Signature))
        {
            return have < V2Signature.Length ? ProxyHeaderResult.Incomplete : ReadV2(buffer);
        }

        if (StartsLike(start, V1Signature))
        {
            return have < V1Signature.Length ? ProxyHeaderResult.Incomplete : ReadV1(buffer);
        }

        return ProxyHeaderResult.Invalid("the connection does not start with a PROXY protocol header");
    }

    /// <summary>Whether the bytes so far are the signature's start (or all of it, and more).</summary>
    private static bool StartsLike(ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> signature) =>
        bytes.Length > 0 && signature.StartsWith(bytes[..Math.Min(bytes.Length, signature.Length)]);

    private static ProxyHeaderResult ReadV1(ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> line, "\r\n"u8, advancePastDelimiter: true))
        {
            return buffer.Length >= MaxV1Length
                ? ProxyHeaderResult.Invalid($"a version 1 header ends with CRLF within {MaxV1Length} bytes")
                : ProxyHeaderResult.Incomplete;
        }

        if (line.Length + 2 > MaxV1Length)
        {
            return ProxyHeaderResult.Invalid($"a version 1 header ends with CRLF within {MaxV1Length} bytes");
        }

        var text = Encoding.ASCII.GetString(line);
        var parts = text.Split(' ');
        var length = reader.Consumed;
        if (parts is ["PROXY", "UNKNOWN", ..])
        {
            return ProxyHeaderResult.Invalid("a version 1 header of an UNKNOWN connection names no client");
        }

        if (parts is not ["PROXY", "TCP4" or "TCP6", var source, _, var sourcePort, _])
        {
            return ProxyHeaderResult.Invalid("a version 1 header is PROXY TCP4|TCP6 <source> <destination> <source port> <destination port>, or PROXY UNKNOWN");
        }

        var family = parts[1] == "TCP4" ? System.Net.Sockets.AddressFamily.InterNetwork : System.Net.Sockets.AddressFamily.InterNetworkV6;
        if (!IPAddress.TryParse(source, out var address) || address.AddressFamily != family || source.Contains('%')
            || (family == System.Net.Sockets.AddressFamily.InterNetwork && source.Count(c => c == '.') != 3)
            || !int.TryParse(sourcePort, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535
            || (sourcePort.Length > 1 && sourcePort[0] == '0'))
        {
            return ProxyHeaderResult.Invalid($"version 1 source '{source}' port '{sourcePort}' is not a {parts[1]} address and port");
        }

        return new ProxyHeaderResult(ProxyHeaderStatus.Read, new IPEndPoint(address, port), length, null);
    }

    private static ProxyHeaderResult ReadV2(ReadOnlySequence<byte> buffer)
    {
        const int fixedLength = 16;
        if (buffer.Length < fixedLength)
        {
            return ProxyHeaderResult.Incomplete;
        }

        Span<byte> head = stackalloc byte[fixedLength];
        buffer.Slice(0, fixedLength).CopyTo(head);
        var version = head[12] >> 4;
        var command = head[12] & 0x0F;
        var family = head[13] >> 4;
        var transport = head[13] & 0x0F;
        var payload = BinaryPrimitives.ReadUInt16BigEndian(head[14..]);
        if (version != 2 || command > 1)
        {
            return ProxyHeaderResult.Invalid($"version 2 header with version {version} and command {command} (2 and LOCAL or PROXY expected)");
        }

        if (payload > MaxV2PayloadLength)
        {
            return ProxyHeaderResult.Invalid($"version 2 header of {payload} bytes beyond its 16 (at most {MaxV2PayloadLength})");
        }

        if (buffer.Length < fixedLength + payload)
        {
            return ProxyHeaderResult.Incomplete;
        }

        var length = fixedLength + payload;
        // LOCAL: the balancer's own connection (a health check); the addresses, if any, are to be ignored.
        if (command == 0)
        {
            return new ProxyHeaderResult(ProxyHeaderStatus.Read, null, length, null);
        }

        if (transport != 1 || family is not (1 or 2))
        {
            return ProxyHeaderResult.Invalid($"a version 2 PROXY header of family {family} and transport {transport} names no TCP client");
        }

        var addressLength = family == 1 ? 4 : 16;
        if (payload < 2 * addressLength + 4)
        {
            return ProxyHeaderResult.Invalid($"version 2 header too short for its addresses ({payload} bytes)");
        }

        Span<byte> addresses = stackalloc byte[2 * addressLength + 4];
        buffer.Slice(fixedLength, addresses.Length).CopyTo(addresses);
        var source = new IPAddress(addresses[..addressLength]);
        var port = BinaryPrimitives.ReadUInt16BigEndian(addresses[(2 * addressLength)..]);
        return new ProxyHeaderResult(ProxyHeaderStatus.Read, new IPEndPoint(source, port), length, null);
    }
}
