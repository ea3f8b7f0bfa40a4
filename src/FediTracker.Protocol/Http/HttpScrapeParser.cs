namespace FediTracker.Protocol.Http;

/// <summary>Parses an HTTP scrape query (BEP 48): every <c>info_hash</c> parameter, in order, up to the caller's cap.</summary>
public static class HttpScrapeParser
{
    /// <summary>
    /// Writes each <c>info_hash</c> into <paramref name="destination"/>; more than it holds is
    /// <see cref="HttpAnnounceError.TooManyInfoHashes"/>; none at all is <see cref="HttpAnnounceError.MissingInfoHash"/>
    /// (this tracker never answers a full scrape of every torrent).
    /// </summary>
    public static HttpAnnounceError TryParse(ReadOnlySpan<byte> query, Span<InfoHash> destination, out int count)
    {
        count = 0;
        if (query.Length > HttpAnnounceParser.MaxQueryLength * 4)
        {
            return HttpAnnounceError.QueryTooLong;
        }

        Span<byte> buffer = stackalloc byte[Bytes20.Length];
        var reader = new QueryReader(query);
        while (reader.TryNext(out var name, out var raw))
        {
            if (!name.SequenceEqual("info_hash"u8))
            {
                continue;
            }

            var n = QueryReader.Decode(raw, buffer);
            if (n == -1)
            {
                return HttpAnnounceError.InvalidEscape;
            }

            if (n != Bytes20.Length)
            {
                return HttpAnnounceError.InvalidInfoHash;
            }

            if (count == destination.Length)
            {
                return HttpAnnounceError.TooManyInfoHashes;
            }

            destination[count++] = InfoHash.Read(buffer);
        }

        return count == 0 ? HttpAnnounceError.MissingInfoHash : HttpAnnounceError.None;
    }
}
