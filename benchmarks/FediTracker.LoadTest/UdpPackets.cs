using System.Buffers.Binary;

namespace FediTracker.LoadTest;

/// <summary>Client side of BEP 15: offsets and writers for the requests this tool sends. All integers big-endian.</summary>
internal static class UdpPackets
{
    public const long ProtocolId = 0x41727101980;
    public const int ActionConnect = 0;
    public const int ActionAnnounce = 1;
    public const int ActionScrape = 2;
    public const int ActionError = 3;
    public const int ConnectLength = 16;
    public const int AnnounceLength = 98;
    public const int AnnounceReplyHeader = 20;

    public static void WriteConnect(Span<byte> packet, int transactionId)
    {
        BinaryPrimitives.WriteInt64BigEndian(packet, ProtocolId);
        BinaryPrimitives.WriteInt32BigEndian(packet[8..], ActionConnect);
        BinaryPrimitives.WriteInt32BigEndian(packet[12..], transactionId);
    }

    public static void WriteHeader(Span<byte> packet, long connectionId, int transactionId)
    {
        BinaryPrimitives.WriteInt64BigEndian(packet, connectionId);
        BinaryPrimitives.WriteInt32BigEndian(packet[12..], transactionId);
    }

    /// <summary>An announce from byte 8 on (the header's id fields are the worker's). Returns its length, 98.</summary>
    public static int WriteAnnounce(Span<byte> packet, ReadOnlySpan<byte> infoHash, ReadOnlySpan<byte> peerId, long left, int udpEvent, int key, int numWant, ushort port)
    {
        BinaryPrimitives.WriteInt32BigEndian(packet[8..], ActionAnnounce);
        infoHash.CopyTo(packet[16..36]);
        peerId.CopyTo(packet[36..56]);
        BinaryPrimitives.WriteInt64BigEndian(packet[56..], 0); // downloaded
        BinaryPrimitives.WriteInt64BigEndian(packet[64..], left);
        BinaryPrimitives.WriteInt64BigEndian(packet[72..], 0); // uploaded
        BinaryPrimitives.WriteInt32BigEndian(packet[80..], udpEvent);
        BinaryPrimitives.WriteInt32BigEndian(packet[84..], 0); // IP: the source address
        BinaryPrimitives.WriteInt32BigEndian(packet[88..], key);
        BinaryPrimitives.WriteInt32BigEndian(packet[92..], numWant);
        BinaryPrimitives.WriteUInt16BigEndian(packet[96..], port);
        return AnnounceLength;
    }

    /// <summary>The scrape's action; the caller writes the hashes from byte 16 on.</summary>
    public static void WriteScrapeAction(Span<byte> packet) => BinaryPrimitives.WriteInt32BigEndian(packet[8..], ActionScrape);
}
