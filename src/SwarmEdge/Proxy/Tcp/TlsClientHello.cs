using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace SwarmEdge.Proxy.Tcp;

/// <summary>
/// Reads the server name (SNI) from the first bytes a TLS client sends, without terminating TLS: the first
/// record must be a handshake record holding the whole ClientHello (RFC 8446 4.1.2; a ClientHello larger than
/// one record is not read). Pure. No library does this: .NET reads SNI only while it terminates TLS, and
/// Kestrel's ClientHello callback hands over raw bytes.
/// </summary>
internal static class TlsClientHello
{
    /// <summary>A ClientHello fits in one TLS record: at most 2^14 bytes plus the 5-byte record header.</summary>
    public const int MaxRecord = 5 + 16384;

    /// <summary>The bytes PostgreSQL clients send before TLS: an 8-byte SSLRequest (length 8, code 80877103).</summary>
    public static ReadOnlySpan<byte> PostgresSslRequest => [0, 0, 0, 8, 0x04, 0xD2, 0x16, 0x2F];

    internal enum Outcome
    {
        /// <summary>Not enough bytes yet: read more.</summary>
        NeedMore,

        /// <summary>A ClientHello, with or without a server name.</summary>
        Hello,

        /// <summary>Not a TLS ClientHello (a plain TCP client, or garbage).</summary>
        NotTls,
    }

    public static Outcome TryRead(ReadOnlySequence<byte> data, out string? serverName)
    {
        serverName = null;
        if (data.Length < 5)
        {
            return data.Length > 0 && data.FirstSpan[0] != 0x16 ? Outcome.NotTls : Outcome.NeedMore;
        }

        Span<byte> header = stackalloc byte[5];
        data.Slice(0, 5).CopyTo(header);
        var length = BinaryPrimitives.ReadUInt16BigEndian(header[3..]);
        if (header[0] != 0x16 || header[1] != 3 || length > MaxRecord - 5)
        {
            return Outcome.NotTls;
        }

        if (data.Length < 5 + length)
        {
            return Outcome.NeedMore;
        }

        var record = data.Slice(5, length).ToArray();
        return Parse(record, out serverName) ? Outcome.Hello : Outcome.NotTls;
    }

    private static bool Parse(ReadOnlySpan<byte> hello, out string? serverName)
    {
        serverName = null;
        var reader = new Reader(hello);
        if (!reader.Byte(out var type) || type != 1 || !reader.Skip(3) // handshake type client_hello, length
            || !reader.Skip(2 + 32) // legacy_version, random
            || !reader.Vector(1, out _) // legacy_session_id
            || !reader.Vector(2, out _) // cipher_suites
            || !reader.Vector(1, out _)) // legacy_compression_methods
        {
            return false;
        }

        if (reader.Remaining == 0)
        {
            return true; // no extensions: no SNI
        }

        if (!reader.Vector(2, out var extensions))
        {
            return false;
        }

        var ext = new Reader(extensions);
        while (ext.Remaining > 0)
        {
            if (!ext.UInt16(out var extensionType) || !ext.Vector(2, out var body))
            {
                return false;
            }

            if (extensionType != 0)
            {
                continue;
            }

            // server_name: a list of (name_type, HostName); host_name is type 0.
            var names = new Reader(body);
            if (!names.Vector(2, out var list))
            {
                return false;
            }

            var entries = new Reader(list);
            while (entries.Remaining > 0)
            {
                if (!entries.Byte(out var nameType) || !entries.Vector(2, out var name))
                {
                    return false;
                }

                if (nameType == 0 && name.Length is > 0 and <= 255 && Ascii.IsValid(name))
                {
                    serverName = Encoding.ASCII.GetString(name).ToLowerInvariant();
                    return true;
                }
            }
        }

        return true;
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _data = data;

        public readonly int Remaining => _data.Length;

        public bool Byte(out byte value)
        {
            value = 0;
            if (_data.Length < 1)
            {
                return false;
            }

            value = _data[0];
            _data = _data[1..];
            return true;
        }

        public bool UInt16(out ushort value)
        {
            value = 0;
            if (_data.Length < 2)
            {
                return false;
            }

            value = BinaryPrimitives.ReadUInt16BigEndian(_data);
            _data = _data[2..];
            return true;
        }

        public bool Skip(int count)
        {
            if (_data.Length < count)
            {
                return false;
            }

            _data = _data[count..];
            return true;
        }

        /// <summary>A length-prefixed vector, with a 1- or 2-byte length.</summary>
        public bool Vector(int lengthBytes, out ReadOnlySpan<byte> value)
        {
            value = default;
            int length;
            if (lengthBytes == 1)
            {
                if (!Byte(out var b))
                {
                    return false;
                }

                length = b;
            }
            else
            {
                if (!UInt16(out var l))
                {
                    return false;
                }

                length = l;
            }

            if (_data.Length < length)
            {
                return false;
            }

            value = _data[..length];
            _data = _data[length..];
            return true;
        }
    }
}
