using System.Buffers.Binary;
using FediTracker.Protocol;
using FediTracker.Protocol.Udp;

namespace FediTracker.Benchmarks.Protocol;

/// <summary>BEP 15 request datagrams built field by field for the benchmarks.</summary>
internal static class UdpPackets
{
    /// <summary>A connect request: the protocol magic, action 0, <paramref name="transactionId"/>.</summary>
    public static byte[] Connect(int transactionId)
    {
        var packet = new byte[UdpProtocol.ConnectRequestLength];
        BinaryPrimitives.WriteInt64BigEndian(packet, UdpProtocol.ProtocolId);
        BinaryPrimitives.WriteInt32BigEndian(packet.AsSpan(8), (int)UdpAction.Connect);
        BinaryPrimitives.WriteInt32BigEndian(packet.AsSpan(12), transactionId);
        return packet;
    }

    /// <summary>
    /// An announce request (98 bytes) followed by <paramref name="options"/> (BEP 41). The IP field is 0, the key
    /// fixed, the transaction id derived from the peer id.
    /// </summary>
    public static byte[] Announce(
        long connectionId,
        InfoHash infoHash,
        PeerId peerId,
        long left,
        AnnounceEvent announceEvent,
        int numWant,
        ushort port,
        ReadOnlySpan<byte> options = default)
    {
        var packet = new byte[UdpProtocol.AnnounceRequestLength + options.Length];
        var span = packet.AsSpan();
        BinaryPrimitives.WriteInt64BigEndian(span, connectionId);
        BinaryPrimitives.WriteInt32BigEndian(span[8..], (int)UdpAction.Announce);
        BinaryPrimitives.WriteInt32BigEndian(span[12..], peerId.GetHashCode());
        infoHash.CopyTo(span[16..]);
        peerId.CopyTo(span[36..]);
        BinaryPrimitives.WriteInt64BigEndian(span[56..], 0); // downloaded
        BinaryPrimitives.WriteInt64BigEndian(span[64..], left);
        BinaryPrimitives.WriteInt64BigEndian(span[72..], 0); // uploaded
        BinaryPrimitives.WriteInt32BigEndian(span[80..], (int)announceEvent);
        BinaryPrimitives.WriteInt32BigEndian(span[84..], 0); // IP: the source address is used
        BinaryPrimitives.WriteInt32BigEndian(span[88..], 0x5E2B9A41); // key
        BinaryPrimitives.WriteInt32BigEndian(span[92..], numWant);
        BinaryPrimitives.WriteUInt16BigEndian(span[96..], port);
        options.CopyTo(span[UdpProtocol.AnnounceRequestLength..]);
        return packet;
    }
}
