namespace FediTracker.Protocol.Http;

/// <summary>
/// Walks the <c>name=value</c> pairs of a raw query string (bytes, still percent-encoded), and percent-decodes
/// values into caller buffers. '+' is kept as a literal byte (RFC 3986), since binary values are always escaped.
/// </summary>
public ref struct QueryReader
{
    private ReadOnlySpan<byte> _rest;

    public QueryReader(ReadOnlySpan<byte> query)
    {
        _rest = query.Length > 0 && query[0] == (byte)'?' ? query[1..] : query;
    }

    /// <summary>The next pair's raw name and raw (still encoded) value; false at the end. Empty segments are skipped.</summary>
    public bool TryNext(out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> rawValue)
    {
        while (!_rest.IsEmpty)
        {
            var amp = _rest.IndexOf((byte)'&');
            var segment = amp < 0 ? _rest : _rest[..amp];
            _rest = amp < 0 ? default : _rest[(amp + 1)..];
            if (segment.IsEmpty)
            {
                continue;
            }

            var eq = segment.IndexOf((byte)'=');
            name = eq < 0 ? segment : segment[..eq];
            rawValue = eq < 0 ? default : segment[(eq + 1)..];
            return true;
        }

        name = default;
        rawValue = default;
        return false;
    }

    /// <summary>
    /// Percent-decodes <paramref name="raw"/> into <paramref name="destination"/>. Returns the decoded length, -1 for
    /// a bad escape, or -2 when the result would not fit.
    /// </summary>
    public static int Decode(ReadOnlySpan<byte> raw, Span<byte> destination)
    {
        var written = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            if (written == destination.Length)
            {
                return -2;
            }

            var b = raw[i];
            if (b == (byte)'%')
            {
                if (i + 2 >= raw.Length)
                {
                    return -1;
                }

                var hi = HexValue(raw[i + 1]);
                var lo = HexValue(raw[i + 2]);
                if ((hi | lo) < 0)
                {
                    return -1;
                }

                destination[written++] = (byte)((hi << 4) | lo);
                i += 2;
            }
            else
            {
                destination[written++] = b;
            }
        }

        return written;
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };
}
