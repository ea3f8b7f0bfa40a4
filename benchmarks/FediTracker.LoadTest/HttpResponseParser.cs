using System.Buffers.Text;
using System.Text;

namespace FediTracker.LoadTest;

/// <summary>Just enough HTTP/1.1 to read tracker replies: status, Content-Length, Connection: close, the body.</summary>
internal static class HttpResponseParser
{
    public const int MaxHeaderBytes = 16 * 1024;

    public enum Result
    {
        Incomplete,
        Complete,
        Malformed,
    }

    public static Result TryParse(ReadOnlySpan<byte> data, out int consumed, out int status, out int bodyStart, out int bodyLength, out bool close)
    {
        consumed = 0;
        status = 0;
        bodyStart = 0;
        bodyLength = 0;
        close = false;
        var headerEnd = data.IndexOf("\r\n\r\n"u8);
        if (headerEnd < 0)
        {
            return data.Length > MaxHeaderBytes ? Result.Malformed : Result.Incomplete;
        }

        var head = data[..headerEnd];
        var lineEnd = head.IndexOf("\r\n"u8);
        var statusLine = lineEnd < 0 ? head : head[..lineEnd];
        if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1."u8) || !Utf8Parser.TryParse(statusLine[9..12], out status, out _))
        {
            return Result.Malformed;
        }

        var contentLength = -1;
        var rest = lineEnd < 0 ? [] : head[(lineEnd + 2)..];
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf("\r\n"u8);
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim((byte)' ');
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (!Utf8Parser.TryParse(value, out contentLength, out var used) || used != value.Length || contentLength < 0)
                {
                    return Result.Malformed;
                }
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8) && Ascii.EqualsIgnoreCase(value, "close"u8))
            {
                close = true;
            }
        }

        if (contentLength < 0)
        {
            // Tracker replies always carry a length; without one the body would run to the close.
            return Result.Malformed;
        }

        bodyStart = headerEnd + 4;
        bodyLength = contentLength;
        if (data.Length < bodyStart + bodyLength)
        {
            return bodyStart + bodyLength > (1 << 20) ? Result.Malformed : Result.Incomplete;
        }

        consumed = bodyStart + bodyLength;
        return Result.Complete;
    }

    /// <summary>The text of a bencoded <c>failure reason</c>, or null when the body has none.</summary>
    public static string? FailureReason(ReadOnlySpan<byte> body)
    {
        var at = body.IndexOf("14:failure reason"u8);
        if (at < 0)
        {
            return null;
        }

        var rest = body[(at + 17)..];
        var colon = rest.IndexOf((byte)':');
        if (colon > 0 && Utf8Parser.TryParse(rest[..colon], out int length, out _) && length >= 0 && colon + 1 + length <= rest.Length)
        {
            return Encoding.UTF8.GetString(rest.Slice(colon + 1, length));
        }

        return "(unreadable failure reason)";
    }

    /// <summary>How many compact IPv4 peers a reply carries (the length of its <c>peers</c> string / 6).</summary>
    public static int CompactPeers(ReadOnlySpan<byte> body)
    {
        var at = body.IndexOf("5:peers"u8);
        if (at < 0)
        {
            return 0;
        }

        var rest = body[(at + 7)..];
        return Utf8Parser.TryParse(rest, out int length, out var used) && used < rest.Length && rest[used] == (byte)':' ? length / 6 : 0;
    }
}
