using System.Buffers.Binary;

namespace FediTracker.Protocol.Udp;

/// <summary>
/// Parses UDP tracker requests (BEP 15, with BEP 41 options on announce). Every method returns false for a short,
/// malformed or unknown packet, which the caller drops without a reply; none throws, whatever the bytes, and none
/// allocates. A typical listener reads the header, dispatches on <see cref="UdpRequestHeader.Action"/>, checks the
/// connection id of an announce or scrape, then calls the matching TryParse method.
/// </summary>
public static class UdpRequestParser
{
    // Announce request field offsets (BEP 15).
    private const int InfoHashOffset = 16;
    private const int PeerIdOffset = 36;
    private const int DownloadedOffset = 56;
    private const int LeftOffset = 64;
    private const int UploadedOffset = 72;
    private const int EventOffset = 80;
    private const int KeyOffset = 88; // the IP address field at 84 is ignored, as BEP 15 and BEP 7 advise
    private const int NumWantOffset = 92;
    private const int PortOffset = 96;

    /// <summary>Reads the 16-byte header; false when shorter or the action is not connect, announce or scrape.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> datagram, out UdpRequestHeader header)
    {
        if (datagram.Length < UdpProtocol.RequestHeaderLength)
        {
            header = default;
            return false;
        }

        var action = BinaryPrimitives.ReadInt32BigEndian(datagram[8..]);
        if (action is < (int)UdpAction.Connect or > (int)UdpAction.Scrape)
        {
            header = default;
            return false;
        }

        header = new UdpRequestHeader(
            BinaryPrimitives.ReadInt64BigEndian(datagram),
            (UdpAction)action,
            BinaryPrimitives.ReadInt32BigEndian(datagram[12..]));
        return true;
    }

    /// <summary>
    /// A connect request: at least 16 bytes (BEP 15 tells peers not to expect exact sizes, so trailing bytes are
    /// ignored), action 0 and the protocol magic.
    /// </summary>
    public static bool TryParseConnect(ReadOnlySpan<byte> datagram, out UdpConnectRequest request)
    {
        if (!TryReadHeader(datagram, out var header)
            || header.Action != UdpAction.Connect
            || header.ConnectionId != UdpProtocol.ProtocolId)
        {
            request = default;
            return false;
        }

        request = new UdpConnectRequest(header.TransactionId);
        return true;
    }

    /// <summary>
    /// An announce request: the 98 fixed bytes, an event of 0..3, then BEP 41 options up to the end of the datagram or
    /// an EndOfOptions option. Options of a type above URLData are skipped by their length byte, as BEP 41 requires;
    /// an option whose length byte or data runs past the end, or URL data over
    /// <see cref="UdpProtocol.MaxUrlDataLength"/> in total, makes the packet malformed.
    /// </summary>
    public static bool TryParseAnnounce(ReadOnlySpan<byte> datagram, out UdpAnnounceRequest request)
    {
        request = default;
        if (datagram.Length < UdpProtocol.AnnounceRequestLength
            || BinaryPrimitives.ReadInt32BigEndian(datagram[8..]) != (int)UdpAction.Announce)
        {
            return false;
        }

        var announceEvent = BinaryPrimitives.ReadUInt32BigEndian(datagram[EventOffset..]);
        if (announceEvent > (uint)AnnounceEvent.Stopped)
        {
            return false;
        }

        var options = datagram[UdpProtocol.AnnounceRequestLength..];
        if (!TryScanOptions(ref options, out var hasUrlData, out var urlDataLength))
        {
            return false;
        }

        request = new UdpAnnounceRequest(options)
        {
            ConnectionId = BinaryPrimitives.ReadInt64BigEndian(datagram),
            TransactionId = BinaryPrimitives.ReadInt32BigEndian(datagram[12..]),
            InfoHash = InfoHash.Read(datagram.Slice(InfoHashOffset, Bytes20.Length)),
            PeerId = PeerId.Read(datagram.Slice(PeerIdOffset, Bytes20.Length)),
            Downloaded = BinaryPrimitives.ReadInt64BigEndian(datagram[DownloadedOffset..]),
            Left = BinaryPrimitives.ReadInt64BigEndian(datagram[LeftOffset..]),
            Uploaded = BinaryPrimitives.ReadInt64BigEndian(datagram[UploadedOffset..]),
            Event = (AnnounceEvent)announceEvent,
            Key = BinaryPrimitives.ReadInt32BigEndian(datagram[KeyOffset..]),
            NumWant = BinaryPrimitives.ReadInt32BigEndian(datagram[NumWantOffset..]),
            Port = BinaryPrimitives.ReadUInt16BigEndian(datagram[PortOffset..]),
            HasUrlData = hasUrlData,
            UrlDataLength = urlDataLength,
        };
        return true;
    }

    /// <summary>A scrape request: the header, then one or more whole 20-byte info-hashes and nothing else.</summary>
    public static bool TryParseScrape(ReadOnlySpan<byte> datagram, out UdpScrapeRequest request)
    {
        if (!TryReadHeader(datagram, out var header) || header.Action != UdpAction.Scrape)
        {
            request = default;
            return false;
        }

        var infoHashes = datagram[UdpProtocol.RequestHeaderLength..];
        if (infoHashes.IsEmpty || infoHashes.Length % UdpProtocol.ScrapeRequestEntryLength != 0)
        {
            request = default;
            return false;
        }

        request = new UdpScrapeRequest(header.ConnectionId, header.TransactionId, infoHashes);
        return true;
    }

    // Walks the BEP 41 options and trims `options` to the region before any EndOfOptions.
    private static bool TryScanOptions(ref ReadOnlySpan<byte> options, out bool hasUrlData, out int urlDataLength)
    {
        hasUrlData = false;
        urlDataLength = 0;
        var position = 0;
        while (position < options.Length)
        {
            var type = options[position];
            if (type == UdpProtocol.OptionEndOfOptions)
            {
                options = options[..position];
                return true;
            }

            position++;
            if (type == UdpProtocol.OptionNop)
            {
                continue;
            }

            // Every other type, known or not, has a length byte and that many data bytes.
            if (position >= options.Length)
            {
                return false;
            }

            int length = options[position++];
            if (length > options.Length - position)
            {
                return false;
            }

            if (type == UdpProtocol.OptionUrlData)
            {
                hasUrlData = true;
                urlDataLength += length;
                if (urlDataLength > UdpProtocol.MaxUrlDataLength)
                {
                    return false;
                }
            }

            position += length;
        }

        return true;
    }
}
