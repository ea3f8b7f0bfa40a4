using System.Buffers.Binary;
using FediTracker.Protocol;

namespace FediTracker.Benchmarks;

/// <summary>
/// Deterministic inputs shared by the benchmarks: info-hashes, peer ids and peer endpoints derived from an index,
/// and percent-encoding as BitTorrent clients apply it to binary query values. Used in setup only.
/// </summary>
internal static class BenchmarkData
{
    /// <summary>The port every generated peer listens on (peers differ by address).</summary>
    public const ushort PeerPort = 6881;

    private const string Unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

    /// <summary>A pseudo-random info-hash, the same for the same <paramref name="seed"/>.</summary>
    public static InfoHash Hash(int seed)
    {
        Span<byte> bytes = stackalloc byte[Bytes20.Length];
        new Random(seed).NextBytes(bytes);
        return InfoHash.Read(bytes);
    }

    /// <summary>An Azureus-style peer id, <c>-FT0001-</c> followed by twelve bytes that end in <paramref name="n"/>.</summary>
    public static PeerId PeerId(int n)
    {
        Span<byte> bytes = stackalloc byte[Bytes20.Length];
        "-FT0001-0000"u8.CopyTo(bytes);
        BinaryPrimitives.WriteInt64BigEndian(bytes[12..], n);
        return FediTracker.Protocol.PeerId.Read(bytes);
    }

    /// <summary>The IPv4 peer number <paramref name="n"/>: 10.0.0.0 + n (distinct for n below 2^24), port 6881.</summary>
    public static PeerEndpoint V4Peer(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(n, 1 << 24);
        return new PeerEndpoint(PeerAddress.FromIPv4(0x0A00_0000u | (uint)n), PeerPort);
    }

    /// <summary>The IPv6 peer number <paramref name="n"/>: 2001:db8::n, port 6881.</summary>
    public static PeerEndpoint V6Peer(int n)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, 0x2001_0DB8u);
        BinaryPrimitives.WriteInt32BigEndian(bytes[12..], n);
        return new PeerEndpoint(PeerAddress.FromIPv6(bytes), PeerPort);
    }

    /// <summary><paramref name="count"/> IPv4 (or IPv6) peers with their peer ids, as a store hands them out.</summary>
    public static PeerEntry[] Peers(int count, bool ipv6)
    {
        var peers = new PeerEntry[count];
        for (var i = 0; i < count; i++)
        {
            peers[i] = new PeerEntry(ipv6 ? V6Peer(i + 1) : V4Peer(i + 1), PeerId(i + 1));
        }

        return peers;
    }

    /// <summary>
    /// Percent-encodes <paramref name="value"/> as clients do for info_hash and peer_id: RFC 3986 unreserved bytes
    /// stay as they are, every other byte becomes <c>%XX</c>.
    /// </summary>
    public static string Escape(ReadOnlySpan<byte> value)
    {
        var text = new System.Text.StringBuilder(value.Length * 3);
        foreach (var b in value)
        {
            if (b < 0x80 && Unreserved.Contains((char)b, StringComparison.Ordinal))
            {
                text.Append((char)b);
            }
            else
            {
                text.Append('%').Append(Convert.ToHexString([b]));
            }
        }

        return text.ToString();
    }
}
