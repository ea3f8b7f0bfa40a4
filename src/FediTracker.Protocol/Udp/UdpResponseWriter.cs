using System.Buffers.Binary;
using System.Text.Unicode;

namespace FediTracker.Protocol.Udp;

/// <summary>
/// Writes UDP tracker responses (BEP 15) into a caller's buffer and returns the bytes written. A destination too
/// small for a packet's fixed part is a programming error and throws <see cref="ArgumentException"/>; the variable
/// parts (announce peers, error message) are cut to fit.
/// </summary>
public static class UdpResponseWriter
{
    /// <summary>Writes a connect response: action 0, transaction id, connection id (16 bytes).</summary>
    public static int WriteConnect(Span<byte> destination, int transactionId, long connectionId)
    {
        EnsureLength(destination, UdpProtocol.ConnectResponseLength);
        WriteHeader(destination, UdpAction.Connect, transactionId);
        BinaryPrimitives.WriteInt64BigEndian(destination[8..], connectionId);
        return UdpProtocol.ConnectResponseLength;
    }

    /// <summary>
    /// Writes an announce response: action 1, transaction id, interval, leechers, seeders, then the peers of the
    /// request's family: 6 bytes each when <paramref name="ipv6"/> is false, 18 when it is true; peers of the other
    /// family are skipped, and peers stop when the destination is full. BEP 15 picks the family from the request's
    /// source address: pass <c>!client.IsIPv4</c>, with <c>client</c> built as a <see cref="PeerEndpoint"/>, so an
    /// IPv4-mapped source on a dual-stack socket counts as IPv4.
    /// </summary>
    public static int WriteAnnounce(
        Span<byte> destination,
        int transactionId,
        int interval,
        int leechers,
        int seeders,
        ReadOnlySpan<PeerEntry> peers,
        bool ipv6)
    {
        EnsureLength(destination, UdpProtocol.AnnounceResponseHeaderLength);
        WriteHeader(destination, UdpAction.Announce, transactionId);
        BinaryPrimitives.WriteInt32BigEndian(destination[8..], interval);
        BinaryPrimitives.WriteInt32BigEndian(destination[12..], leechers);
        BinaryPrimitives.WriteInt32BigEndian(destination[16..], seeders);

        var stride = ipv6 ? UdpProtocol.IPv6PeerLength : UdpProtocol.IPv4PeerLength;
        var written = UdpProtocol.AnnounceResponseHeaderLength;
        foreach (var peer in peers)
        {
            var endpoint = peer.Endpoint;
            if (endpoint.IsIPv4 == ipv6)
            {
                continue;
            }

            if (destination.Length - written < stride)
            {
                break;
            }

            // An IPv4 peer's compact form is 6 bytes, an IPv6 peer's 18: the stride of its family.
            written += endpoint.WriteCompact(destination[written..]);
        }

        return written;
    }

    /// <summary>Writes a scrape response: action 2, transaction id, then seeders, completed, leechers per info-hash.</summary>
    public static int WriteScrape(Span<byte> destination, int transactionId, ReadOnlySpan<UdpScrapeEntry> entries)
    {
        var length = UdpProtocol.ScrapeResponseHeaderLength + (entries.Length * UdpProtocol.ScrapeResponseEntryLength);
        EnsureLength(destination, length);
        WriteHeader(destination, UdpAction.Scrape, transactionId);
        var offset = UdpProtocol.ScrapeResponseHeaderLength;
        foreach (var entry in entries)
        {
            BinaryPrimitives.WriteInt32BigEndian(destination[offset..], entry.Seeders);
            BinaryPrimitives.WriteInt32BigEndian(destination[(offset + 4)..], entry.Completed);
            BinaryPrimitives.WriteInt32BigEndian(destination[(offset + 8)..], entry.Leechers);
            offset += UdpProtocol.ScrapeResponseEntryLength;
        }

        return length;
    }

    /// <summary>
    /// Writes an error packet: action 3, transaction id, the message as UTF-8. A message too long for the destination
    /// is cut at a character boundary.
    /// </summary>
    public static int WriteError(Span<byte> destination, int transactionId, ReadOnlySpan<char> message)
    {
        EnsureLength(destination, UdpProtocol.ErrorHeaderLength);
        WriteHeader(destination, UdpAction.Error, transactionId);

        // Stops before the first character that does not fit whole; invalid UTF-16 becomes U+FFFD.
        Utf8.FromUtf16(message, destination[UdpProtocol.ErrorHeaderLength..], out _, out var written);
        return UdpProtocol.ErrorHeaderLength + written;
    }

    /// <summary>
    /// Writes an error packet whose message is already UTF-8 (for instance a <c>"..."u8</c> literal). A message too
    /// long for the destination is cut, never inside a multi-byte sequence.
    /// </summary>
    public static int WriteError(Span<byte> destination, int transactionId, ReadOnlySpan<byte> utf8Message)
    {
        EnsureLength(destination, UdpProtocol.ErrorHeaderLength);
        WriteHeader(destination, UdpAction.Error, transactionId);

        var room = destination.Length - UdpProtocol.ErrorHeaderLength;
        var message = utf8Message.Length <= room ? utf8Message : utf8Message[..CompleteUtf8Prefix(utf8Message[..room])];
        message.CopyTo(destination[UdpProtocol.ErrorHeaderLength..]);
        return UdpProtocol.ErrorHeaderLength + message.Length;
    }

    // The length of `cut` without a multi-byte sequence left incomplete at its end.
    private static int CompleteUtf8Prefix(ReadOnlySpan<byte> cut)
    {
        var start = cut.Length - 1;
        while (start >= 0 && (cut[start] & 0xC0) == 0x80)
        {
            start--;
        }

        if (start < 0)
        {
            return cut.Length; // only continuation bytes: not UTF-8 to begin with, leave it be
        }

        var lead = cut[start];
        var sequenceLength = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        return start + sequenceLength <= cut.Length ? cut.Length : start;
    }

    private static void WriteHeader(Span<byte> destination, UdpAction action, int transactionId)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, (int)action);
        BinaryPrimitives.WriteInt32BigEndian(destination[4..], transactionId);
    }

    private static void EnsureLength(Span<byte> destination, int length)
    {
        if (destination.Length < length)
        {
            throw new ArgumentException($"The destination needs at least {length} bytes.", nameof(destination));
        }
    }
}
