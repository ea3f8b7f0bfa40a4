using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace FediTracker.Protocol;

/// <summary>
/// An IPv4 or IPv6 address as two machine words, with no heap object behind it. IPv4 addresses are kept in their
/// IPv4-mapped IPv6 form (::ffff:a.b.c.d), so one comparison serves both families.
/// </summary>
public readonly struct PeerAddress : IEquatable<PeerAddress>
{
    private const ulong MappedPrefixLow = 0x0000_FFFF_0000_0000UL;

    private readonly ulong _high;
    private readonly ulong _low;

    private PeerAddress(ulong high, ulong low)
    {
        _high = high;
        _low = low;
    }

    public bool IsIPv4 => _high == 0 && (_low & 0xFFFF_FFFF_0000_0000UL) == MappedPrefixLow;

    /// <summary>The IPv4 address in network order as a big-endian number; only meaningful when <see cref="IsIPv4"/>.</summary>
    public uint V4 => (uint)_low;

    /// <summary>The address with its last 64 bits cleared: the /64 network an IPv6 host usually owns.</summary>
    public PeerAddress Prefix64() => new(_high, 0);

    public static PeerAddress FromIPv4(uint bigEndianValue) => new(0, MappedPrefixLow | bigEndianValue);

    public static PeerAddress FromIPv4(ReadOnlySpan<byte> fourBytes) => FromIPv4(BinaryPrimitives.ReadUInt32BigEndian(fourBytes));

    /// <summary>From 16 bytes of an IPv6 address; IPv4-mapped addresses become IPv4.</summary>
    public static PeerAddress FromIPv6(ReadOnlySpan<byte> sixteenBytes) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(sixteenBytes), BinaryPrimitives.ReadUInt64BigEndian(sixteenBytes[8..16]));

    public static PeerAddress FromIPAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            address.TryWriteBytes(bytes, out _);
            return FromIPv4(bytes[..4]);
        }

        address.TryWriteBytes(bytes, out _);
        return FromIPv6(bytes);
    }

    /// <summary>Writes 4 bytes for IPv4, else 16; returns the count.</summary>
    public int WriteCompact(Span<byte> destination)
    {
        if (IsIPv4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, V4);
            return 4;
        }

        WriteIPv6(destination);
        return 16;
    }

    /// <summary>Writes the 16-byte IPv6 form (IPv4 as mapped).</summary>
    public void WriteIPv6(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _high);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..16], _low);
    }

    public IPAddress ToIPAddress()
    {
        Span<byte> bytes = stackalloc byte[16];
        return new IPAddress(bytes[..WriteCompact(bytes)]);
    }

    /// <summary>Writes the textual form (dotted quad, or RFC 5952 IPv6) as ASCII; returns the count.</summary>
    public bool TryFormat(Span<byte> destination, out int written)
    {
        if (IsIPv4)
        {
            written = 0;
            var v = V4;
            for (var i = 3; i >= 0; i--)
            {
                var octet = (byte)(v >> (i * 8));
                if (!System.Buffers.Text.Utf8Formatter.TryFormat(octet, destination[written..], out var n))
                {
                    return false;
                }

                written += n;
                if (i > 0)
                {
                    if (written >= destination.Length)
                    {
                        return false;
                    }

                    destination[written++] = (byte)'.';
                }
            }

            return true;
        }

        return TryFormatIPv6(destination, out written);
    }

    // RFC 5952 text: lower-case hex groups without leading zeros, the longest run (two or more, first if tied) of
    // zero groups written as "::".
    private bool TryFormatIPv6(Span<byte> destination, out int written)
    {
        written = 0;
        Span<ushort> groups = stackalloc ushort[8];
        for (var i = 0; i < 4; i++)
        {
            groups[i] = (ushort)(_high >> (48 - (16 * i)));
            groups[i + 4] = (ushort)(_low >> (48 - (16 * i)));
        }

        int bestStart = -1, bestLength = 0;
        for (var i = 0; i < 8;)
        {
            if (groups[i] != 0)
            {
                i++;
                continue;
            }

            var start = i;
            while (i < 8 && groups[i] == 0)
            {
                i++;
            }

            if (i - start > bestLength)
            {
                bestStart = start;
                bestLength = i - start;
            }
        }

        if (bestLength < 2)
        {
            bestStart = -1;
        }

        for (var i = 0; i < 8; i++)
        {
            if (i == bestStart)
            {
                if (destination.Length - written < 2)
                {
                    return false;
                }

                destination[written++] = (byte)':';
                destination[written++] = (byte)':';
                i += bestLength - 1;
                continue;
            }

            if (i > 0 && i != bestStart + bestLength)
            {
                if (written >= destination.Length)
                {
                    return false;
                }

                destination[written++] = (byte)':';
            }

            if (!System.Buffers.Text.Utf8Formatter.TryFormat(groups[i], destination[written..], out var n, new System.Buffers.StandardFormat('x')))
            {
                return false;
            }

            written += n;
        }

        return true;
    }

    public bool Equals(PeerAddress other) => _high == other._high && _low == other._low;

    public override bool Equals(object? obj) => obj is PeerAddress other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_high, _low);

    public static bool operator ==(PeerAddress left, PeerAddress right) => left.Equals(right);

    public static bool operator !=(PeerAddress left, PeerAddress right) => !left.Equals(right);

    public override string ToString() => ToIPAddress().ToString();
}
