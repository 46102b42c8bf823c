using System.Net;
using System.Net.Sockets;

namespace SwarmEdge.Proxy.Limits;

/// <summary>
/// The address per-client limits count against: an IPv4 address, or an IPv6 /64 (one subscriber is usually
/// handed a whole /64, so counting single IPv6 addresses would let one client be 2^64 of them).
/// </summary>
internal readonly record struct ClientAddress(UInt128 Value, bool IsV6)
{
    public static ClientAddress Of(IPAddress? address)
    {
        if (address is null)
        {
            return default;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            address.TryWriteBytes(bytes, out _);
            return new ClientAddress(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes), false);
        }

        address.TryWriteBytes(bytes, out _);
        var high = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes);
        return new ClientAddress(new UInt128(high, 0), true);
    }
}
