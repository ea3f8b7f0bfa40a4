using System.Net;
using System.Net.Sockets;

namespace FediTracker.Federation.Fetching;

/// <summary>
/// Classifies IP addresses for SSRF defence. IPv6 forms that embed an IPv4 address (IPv4-mapped ::ffff:0:0/96, the
/// NAT64 well-known prefix 64:ff9b::/96, 6to4 2002::/16) are judged by the IPv4 address inside, so
/// <c>::ffff:127.0.0.1</c> counts as loopback.
/// </summary>
public static class AddressClassifier
{
    public static AddressKind Classify(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> v4 = stackalloc byte[4];
            address.TryWriteBytes(v4, out _);
            return ClassifyV4(v4);
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return AddressKind.Reserved;
        }

        Span<byte> b = stackalloc byte[16];
        address.TryWriteBytes(b, out _);

        if (address.IsIPv4MappedToIPv6)
        {
            return ClassifyV4(b[12..]);
        }

        // 64:ff9b::/96, NAT64 well-known prefix.
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && AllZero(b[4..12]))
        {
            return ClassifyV4(b[12..]);
        }

        // 2002::/16, 6to4: the IPv4 address follows the prefix.
        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return ClassifyV4(b[2..6]);
        }

        if (AllZero(b[..15]))
        {
            return b[15] switch
            {
                0 => AddressKind.Unspecified,
                1 => AddressKind.Loopback,
                _ => AddressKind.Reserved,
            };
        }

        // ::/96 IPv4-compatible (deprecated).
        if (AllZero(b[..12]))
        {
            return AddressKind.Reserved;
        }

        if (b[0] == 0xff)
        {
            return AddressKind.Multicast;
        }

        if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
        {
            return AddressKind.LinkLocal;
        }

        if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
        {
            return AddressKind.Private;
        }

        if ((b[0] & 0xfe) == 0xfc)
        {
            return AddressKind.Private;
        }

        // 100::/64 discard-only.
        if (b[0] == 0x01 && b[1] == 0x00 && AllZero(b[2..8]))
        {
            return AddressKind.Reserved;
        }

        // 2001:db8::/32 documentation.
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
        {
            return AddressKind.Reserved;
        }

        return AddressKind.Public;
    }

    private static AddressKind ClassifyV4(ReadOnlySpan<byte> a)
    {
        return a[0] switch
        {
            0 => AddressKind.Unspecified,
            10 => AddressKind.Private,
            127 => AddressKind.Loopback,
            100 when (a[1] & 0xc0) == 64 => AddressKind.SharedAddressSpace,
            169 when a[1] == 254 => AddressKind.LinkLocal,
            172 when (a[1] & 0xf0) == 16 => AddressKind.Private,
            192 when a[1] == 168 => AddressKind.Private,
            192 when a[1] == 0 && a[2] == 0 => AddressKind.Reserved,
            192 when a[1] == 0 && a[2] == 2 => AddressKind.Reserved,
            198 when (a[1] & 0xfe) == 18 => AddressKind.Reserved,
            198 when a[1] == 51 && a[2] == 100 => AddressKind.Reserved,
            203 when a[1] == 0 && a[2] == 113 => AddressKind.Reserved,
            >= 224 and <= 239 => AddressKind.Multicast,
            >= 240 => AddressKind.Reserved,
            _ => AddressKind.Public,
        };
    }

    private static bool AllZero(ReadOnlySpan<byte> bytes) => !bytes.ContainsAnyExcept((byte)0);
}
