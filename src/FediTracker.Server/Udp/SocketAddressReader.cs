using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using FediTracker.Protocol;

namespace FediTracker.Server.Udp;

/// <summary>Reads a client's address and port out of a received <see cref="SocketAddress"/> without allocating.</summary>
internal static class SocketAddressReader
{
    // Offsets in the native sockaddr_in / sockaddr_in6 layouts that SocketAddress holds: the port (network order)
    // at 2, the IPv4 address at 4, the IPv6 address at 8.
    private const int PortOffset = 2;
    private const int V4Offset = 4;
    private const int V6Offset = 8;

    public static bool TryRead(SocketAddress address, out PeerEndpoint endpoint)
    {
        var bytes = address.Buffer.Span[..address.Size];
        switch (address.Family)
        {
            case AddressFamily.InterNetwork when bytes.Length >= V4Offset + 4:
                endpoint = new PeerEndpoint(
                    PeerAddress.FromIPv4(bytes.Slice(V4Offset, 4)),
                    BinaryPrimitives.ReadUInt16BigEndian(bytes[PortOffset..]));
                return true;
            case AddressFamily.InterNetworkV6 when bytes.Length >= V6Offset + 16:
                endpoint = new PeerEndpoint(
                    PeerAddress.FromIPv6(bytes.Slice(V6Offset, 16)),
                    BinaryPrimitives.ReadUInt16BigEndian(bytes[PortOffset..]));
                return true;
            default:
                endpoint = default;
                return false;
        }
    }
}
