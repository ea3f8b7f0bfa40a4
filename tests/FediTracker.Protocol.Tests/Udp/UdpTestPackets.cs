using System.Buffers.Binary;
using System.Text;

namespace FediTracker.Protocol.Tests.Udp;

/// <summary>Hand-built BEP 15 packets for the tests.</summary>
internal static class UdpTestPackets
{
    /// <summary>Hex with optional spaces and '|' separators between fields.</summary>
    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal).Replace("|", "", StringComparison.Ordinal));

    /// <summary>A connect request, transaction id 0x12345678.</summary>
    public static byte[] Connect() => Hex("00000417 27101980 | 00000000 | 12345678");

    /// <summary>
    /// An announce request, field by field as BEP 15 lays it out: connection id 0x1122334455667788, action 1,
    /// transaction id 0xDEADBEEF, info_hash 01..14, peer_id "-FT0001-abcdefghijkl", downloaded 4096,
    /// left 2^32, uploaded long.MaxValue, event 2 (started), IP 192.168.0.1 (ignored), key 0x12345678,
    /// num_want -1, port 6881; then <paramref name="options"/>.
    /// </summary>
    public static byte[] Announce(params byte[] options) =>
        [
            .. Hex(
                "1122334455667788 | 00000001 | DEADBEEF"
                + "| 0102030405060708090A0B0C0D0E0F1011121314"
                + "| 2D465430303031 2D 6162636465666768696A6B6C"
                + "| 0000000000001000 | 0000000100000000 | 7FFFFFFFFFFFFFFF"
                + "| 00000002 | C0A80001 | 12345678 | FFFFFFFF | 1AE1"),
            .. options,
        ];

    /// <summary>An announce request with <paramref name="announceEvent"/> written in the event field.</summary>
    public static byte[] AnnounceWithEvent(uint announceEvent)
    {
        var packet = Announce();
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(80), announceEvent);
        return packet;
    }

    /// <summary>A scrape request, connection id 0x1122334455667788, transaction id 0x01020304, with the given hashes.</summary>
    public static byte[] Scrape(params byte[][] infoHashes)
    {
        byte[] packet = [.. Hex("1122334455667788 | 00000002 | 01020304")];
        foreach (var hash in infoHashes)
        {
            packet = [.. packet, .. hash];
        }

        return packet;
    }

    /// <summary>Twenty bytes of <paramref name="value"/>.</summary>
    public static byte[] Hash(byte value) => Enumerable.Repeat(value, 20).ToArray();

    /// <summary>A URLData option carrying <paramref name="text"/> (at most 255 bytes).</summary>
    public static byte[] UrlData(string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        return [0x2, checked((byte)bytes.Length), .. bytes];
    }
}
