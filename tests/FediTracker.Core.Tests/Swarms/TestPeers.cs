using System.Buffers.Binary;
using FediTracker.Protocol;

namespace FediTracker.Core.Tests.Swarms;

/// <summary>Builds info-hashes, peer ids and endpoints for store tests.</summary>
public static class TestPeers
{
    /// <summary>Bytes left for a leecher; a seeder has 0.</summary>
    public const long LeecherLeft = 1_000_000;

    /// <summary>A fresh random info-hash, so tests never share a swarm even in a shared store.</summary>
    public static InfoHash NewInfoHash()
    {
        Span<byte> bytes = stackalloc byte[Bytes20.Length];
        Random.Shared.NextBytes(bytes);
        return InfoHash.Read(bytes);
    }

    /// <summary>10.0.0.0/8 plus <paramref name="n"/> (below 2^24).</summary>
    public static PeerEndpoint V4(int n, ushort port = 6881)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(n, 1 << 24);
        return new PeerEndpoint(PeerAddress.FromIPv4(0x0A00_0000u | (uint)n), port);
    }

    /// <summary>2001:db8::/32 plus <paramref name="n"/>.</summary>
    public static PeerEndpoint V6(int n, ushort port = 6881)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        Span<byte> bytes = stackalloc byte[16];
        bytes[0] = 0x20;
        bytes[1] = 0x01;
        bytes[2] = 0x0D;
        bytes[3] = 0xB8;
        BinaryPrimitives.WriteInt32BigEndian(bytes[12..], n);
        return new PeerEndpoint(PeerAddress.FromIPv6(bytes), port);
    }

    /// <summary>
    /// The peer id a test peer announces with by default: derived from its endpoint (and a version byte), so a
    /// returned entry can be checked against the endpoint it came with.
    /// </summary>
    public static PeerId IdFor(PeerEndpoint endpoint, byte version = 0)
    {
        Span<byte> bytes = stackalloc byte[Bytes20.Length];
        endpoint.Address.WriteIPv6(bytes);
        BinaryPrimitives.WriteUInt16BigEndian(bytes[16..], endpoint.Port);
        bytes[18] = 0x7E;
        bytes[19] = version;
        return PeerId.Read(bytes);
    }

    public static AnnounceRequest Request(
        InfoHash infoHash,
        PeerEndpoint endpoint,
        long left,
        AnnounceEvent announceEvent = AnnounceEvent.None,
        int numWant = 50,
        PeerId? peerId = null) =>
        new(infoHash, peerId ?? IdFor(endpoint), endpoint, 0, 0, left, announceEvent, numWant);
}
