namespace FediTracker.Protocol.Udp;

/// <summary>
/// A well-formed scrape request (BEP 15): one or more info-hashes. The hashes are read from the datagram on demand,
/// so read them all before the response is written into the same buffer. Capping <see cref="Count"/> is the caller's.
/// </summary>
public readonly ref struct UdpScrapeRequest
{
    private readonly ReadOnlySpan<byte> _infoHashes;

    internal UdpScrapeRequest(long connectionId, int transactionId, ReadOnlySpan<byte> infoHashes)
    {
        ConnectionId = connectionId;
        TransactionId = transactionId;
        _infoHashes = infoHashes;
    }

    public long ConnectionId { get; }

    public int TransactionId { get; }

    /// <summary>The number of info-hashes, at least one.</summary>
    public int Count => _infoHashes.Length / UdpProtocol.ScrapeRequestEntryLength;

    /// <summary>The info-hashes back to back, 20 bytes each.</summary>
    public ReadOnlySpan<byte> InfoHashBytes => _infoHashes;

    /// <summary>The info-hash at <paramref name="index"/> (0 ≤ index &lt; <see cref="Count"/>).</summary>
    public InfoHash GetInfoHash(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return InfoHash.Read(_infoHashes.Slice(index * UdpProtocol.ScrapeRequestEntryLength, UdpProtocol.ScrapeRequestEntryLength));
    }
}
