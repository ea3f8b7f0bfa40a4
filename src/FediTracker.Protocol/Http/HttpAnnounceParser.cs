using System.Buffers.Text;

namespace FediTracker.Protocol.Http;

/// <summary>
/// Parses the raw query string of an HTTP announce. Allocation-free and exception-free: a bad query gives an
/// <see cref="HttpAnnounceError"/>. Required: <c>info_hash</c>, <c>peer_id</c>, <c>port</c>, <c>left</c> (without it
/// a seeder cannot be told from a leecher); <c>uploaded</c> and <c>downloaded</c> default to 0. Unknown parameters,
/// <c>ip</c> and <c>trackerid</c> are ignored.
/// </summary>
public static class HttpAnnounceParser
{
    /// <summary>Longer queries are refused before any parsing (real announces are under 400 bytes).</summary>
    public const int MaxQueryLength = 2048;

    public static HttpAnnounceError TryParse(ReadOnlySpan<byte> query, out HttpAnnounceQuery result)
    {
        result = default;
        result.NumWant = -1;
        result.Compact = true;
        if (query.Length > MaxQueryLength)
        {
            return HttpAnnounceError.QueryTooLong;
        }

        Span<byte> buffer = stackalloc byte[Bytes20.Length];
        var seen = Seen.None;
        var reader = new QueryReader(query);
        while (reader.TryNext(out var name, out var raw))
        {
            var field = Identify(name);
            if (field == Seen.None)
            {
                continue;
            }

            if ((seen & field) != 0)
            {
                return field == Seen.InfoHash ? HttpAnnounceError.DuplicateInfoHash : HttpAnnounceError.DuplicateParameter;
            }

            seen |= field;
            var error = Apply(field, raw, buffer, ref result);
            if (error != HttpAnnounceError.None)
            {
                return error;
            }
        }

        if ((seen & Seen.InfoHash) == 0)
        {
            return HttpAnnounceError.MissingInfoHash;
        }

        if ((seen & Seen.PeerId) == 0)
        {
            return HttpAnnounceError.MissingPeerId;
        }

        if ((seen & Seen.Port) == 0)
        {
            return HttpAnnounceError.MissingPort;
        }

        return (seen & Seen.Left) == 0 ? HttpAnnounceError.MissingLeft : HttpAnnounceError.None;
    }

    private static HttpAnnounceError Apply(Seen field, ReadOnlySpan<byte> raw, Span<byte> buffer, ref HttpAnnounceQuery result)
    {
        switch (field)
        {
            case Seen.InfoHash:
                var error = Decode20(raw, buffer, HttpAnnounceError.InvalidInfoHash);
                if (error == HttpAnnounceError.None)
                {
                    result.InfoHash = InfoHash.Read(buffer);
                }

                return error;
            case Seen.PeerId:
                error = Decode20(raw, buffer, HttpAnnounceError.InvalidPeerId);
                if (error == HttpAnnounceError.None)
                {
                    result.PeerId = PeerId.Read(buffer);
                }

                return error;
            case Seen.Port:
                if (!TryParseNumber(raw, out var port) || port is < 1 or > 65535)
                {
                    return HttpAnnounceError.InvalidPort;
                }

                result.Port = (ushort)port;
                return HttpAnnounceError.None;
            case Seen.Uploaded:
                return TryParseNumber(raw, out result.Uploaded) ? HttpAnnounceError.None : HttpAnnounceError.InvalidNumber;
            case Seen.Downloaded:
                return TryParseNumber(raw, out result.Downloaded) ? HttpAnnounceError.None : HttpAnnounceError.InvalidNumber;
            case Seen.Left:
                return TryParseNumber(raw, out result.Left) ? HttpAnnounceError.None : HttpAnnounceError.InvalidNumber;
            case Seen.NumWant:
                // Some clients send -1 for "the default"; any negative number means that.
                if (raw.Length > 1 && raw[0] == (byte)'-' && TryParseNumber(raw[1..], out _))
                {
                    result.NumWant = -1;
                    return HttpAnnounceError.None;
                }

                if (!TryParseNumber(raw, out var numWant))
                {
                    return HttpAnnounceError.InvalidNumber;
                }

                result.NumWant = (int)Math.Min(numWant, int.MaxValue);
                return HttpAnnounceError.None;
            case Seen.Event:
                return TryParseEvent(raw, out result.Event) ? HttpAnnounceError.None : HttpAnnounceError.InvalidEvent;
            case Seen.Compact:
                result.Compact = !(raw.Length == 1 && raw[0] == (byte)'0');
                return HttpAnnounceError.None;
            case Seen.NoPeerId:
                result.NoPeerId = !(raw.Length == 1 && raw[0] == (byte)'0');
                return HttpAnnounceError.None;
            case Seen.Key:
                result.Key = Fold(raw);
                return HttpAnnounceError.None;
            default:
                return HttpAnnounceError.None;
        }
    }

    // Percent-decodes a value that must be exactly 20 bytes into 'buffer'.
    private static HttpAnnounceError Decode20(ReadOnlySpan<byte> raw, Span<byte> buffer, HttpAnnounceError wrongLength)
    {
        var n = QueryReader.Decode(raw, buffer);
        return n == -1 ? HttpAnnounceError.InvalidEscape : n != Bytes20.Length ? wrongLength : HttpAnnounceError.None;
    }

    private static Seen Identify(ReadOnlySpan<byte> name) => name.Length switch
    {
        3 when name.SequenceEqual("key"u8) => Seen.Key,
        4 when name.SequenceEqual("port"u8) => Seen.Port,
        4 when name.SequenceEqual("left"u8) => Seen.Left,
        5 when name.SequenceEqual("event"u8) => Seen.Event,
        7 when name.SequenceEqual("peer_id"u8) => Seen.PeerId,
        7 when name.SequenceEqual("numwant"u8) => Seen.NumWant,
        7 when name.SequenceEqual("compact"u8) => Seen.Compact,
        8 when name.SequenceEqual("uploaded"u8) => Seen.Uploaded,
        9 when name.SequenceEqual("info_hash"u8) => Seen.InfoHash,
        10 when name.SequenceEqual("downloaded"u8) => Seen.Downloaded,
        10 when name.SequenceEqual("no_peer_id"u8) => Seen.NoPeerId,
        _ => Seen.None,
    };

    /// <summary>A non-negative decimal that fits in a long, digits only.</summary>
    internal static bool TryParseNumber(ReadOnlySpan<byte> raw, out long value)
    {
        value = 0;
        if (raw.IsEmpty || raw.Length > 19)
        {
            return false;
        }

        foreach (var c in raw)
        {
            if (c is < (byte)'0' or > (byte)'9')
            {
                return false;
            }
        }

        return Utf8Parser.TryParse(raw, out value, out var consumed) && consumed == raw.Length && value >= 0;
    }

    private static bool TryParseEvent(ReadOnlySpan<byte> raw, out AnnounceEvent value)
    {
        value = raw switch
        {
            [] => AnnounceEvent.None,
            _ when raw.SequenceEqual("started"u8) => AnnounceEvent.Started,
            _ when raw.SequenceEqual("stopped"u8) => AnnounceEvent.Stopped,
            _ when raw.SequenceEqual("completed"u8) => AnnounceEvent.Completed,
            _ when raw.SequenceEqual("paused"u8) => AnnounceEvent.Paused,
            _ when raw.SequenceEqual("empty"u8) => AnnounceEvent.None,
            _ => (AnnounceEvent)(-1),
        };
        return value >= 0;
    }

    // FNV-1a over the raw bytes: the key only has to tell one client's announces from another's.
    private static uint Fold(ReadOnlySpan<byte> raw)
    {
        var hash = 2166136261u;
        foreach (var b in raw)
        {
            hash = (hash ^ b) * 16777619u;
        }

        return hash;
    }

    [Flags]
    private enum Seen
    {
        None = 0,
        InfoHash = 1,
        PeerId = 2,
        Port = 4,
        Uploaded = 8,
        Downloaded = 16,
        Left = 32,
        NumWant = 64,
        Event = 128,
        Compact = 256,
        NoPeerId = 512,
        Key = 1024,
    }
}
