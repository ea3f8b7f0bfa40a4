namespace FediTracker.Protocol.Udp;

/// <summary>
/// A well-formed announce request (BEP 15) with its BEP 41 options checked. The fixed fields are copied out of the
/// datagram; the URL data is not: copy it with <see cref="TryCopyUrlData"/> before the datagram's buffer is reused
/// (for instance to write the response in place).
/// </summary>
public readonly ref struct UdpAnnounceRequest
{
    // The options region: from offset 98 up to an EndOfOptions option or the end of the datagram, already validated.
    private readonly ReadOnlySpan<byte> _options;

    internal UdpAnnounceRequest(ReadOnlySpan<byte> options)
    {
        _options = options;
    }

    public long ConnectionId { get; internal init; }

    public int TransactionId { get; internal init; }

    public InfoHash InfoHash { get; internal init; }

    public PeerId PeerId { get; internal init; }

    /// <summary>As sent; BEP 15 gives it no sign rule, so a negative value is passed on for the caller to judge.</summary>
    public long Downloaded { get; internal init; }

    /// <summary>As sent; BEP 15 gives it no sign rule, so a negative value is passed on for the caller to judge.</summary>
    public long Left { get; internal init; }

    /// <summary>As sent; BEP 15 gives it no sign rule, so a negative value is passed on for the caller to judge.</summary>
    public long Uploaded { get; internal init; }

    /// <summary>None, Completed, Started or Stopped; never Paused, which has no UDP code.</summary>
    public AnnounceEvent Event { get; internal init; }

    /// <summary>The client's key, an opaque 32-bit value.</summary>
    public int Key { get; internal init; }

    /// <summary>As sent; -1 asks for the tracker's default. Capping is the caller's.</summary>
    public int NumWant { get; internal init; }

    public ushort Port { get; internal init; }

    /// <summary>Whether at least one URLData option was present (possibly empty, which BEP 41 uses to signal support).</summary>
    public bool HasUrlData { get; internal init; }

    /// <summary>The length of the URL data, all URLData options concatenated; at most <see cref="UdpProtocol.MaxUrlDataLength"/>.</summary>
    public int UrlDataLength { get; internal init; }

    /// <summary>
    /// Copies the URL data (the tracker URL's path and query, all URLData options concatenated) into
    /// <paramref name="destination"/>; false, with nothing written, when it does not fit.
    /// </summary>
    public bool TryCopyUrlData(Span<byte> destination, out int written)
    {
        written = 0;
        if (destination.Length < UrlDataLength)
        {
            return false;
        }

        var options = _options;
        var position = 0;
        while (position < options.Length)
        {
            var type = options[position++];
            if (type == UdpProtocol.OptionNop)
            {
                continue;
            }

            // The region was validated when parsed: it holds no EndOfOptions and every length fits.
            int length = options[position++];
            if (type == UdpProtocol.OptionUrlData)
            {
                options.Slice(position, length).CopyTo(destination[written..]);
                written += length;
            }

            position += length;
        }

        return true;
    }
}
