using System.Text.Json;
using FediTracker.Federation.Activities;

namespace FediTracker.Federation.Media;

/// <summary>
/// A file attached to a post, as the post describes it: its URL, media type and, when stated, its size in bytes.
/// Read from the object of a <c>Create</c> or <c>Update</c>: Mastodon's <c>attachment</c> items (<c>Document</c>
/// with <c>mediaType</c> and a <c>url</c> string, no size), and PeerTube's <c>url</c> links of a <c>Video</c>
/// (<c>Link</c> with <c>href</c>, <c>mediaType</c> or the older <c>mimeType</c>, and <c>size</c>).
/// </summary>
public sealed record MediaAttachment(string Url, string? MediaType, long? Size)
{
    /// <summary>Items read from one object at most; the rest are not looked at.</summary>
    public const int MaxItems = 64;

    /// <summary>Whether the media type is audio, video or an image (parameters ignored).</summary>
    public bool IsMedia =>
        MediaType is { } type
        && (type.StartsWith("video/", StringComparison.OrdinalIgnoreCase)
            || type.StartsWith("audio/", StringComparison.OrdinalIgnoreCase)
            || type.StartsWith("image/", StringComparison.OrdinalIgnoreCase));

    /// <summary>The files an object carries, in document order, each URL once, at most <see cref="MaxItems"/>.</summary>
    public static IReadOnlyList<MediaAttachment> ReadAll(JsonElement content)
    {
        var found = new List<MediaAttachment>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (content.ValueKind != JsonValueKind.Object)
        {
            return found;
        }

        if (content.TryGetProperty("attachment", out var attachments))
        {
            foreach (var item in Items(attachments))
            {
                ReadItem(item, found, seen);
            }
        }

        // A Video's or Audio's own url links are its files (a Note's url is its HTML page, not a file).
        if (JsonRead.Type(content) is "Video" or "Audio" && content.TryGetProperty("url", out var links))
        {
            foreach (var link in Items(links))
            {
                if (link.ValueKind == JsonValueKind.Object)
                {
                    ReadItem(link, found, seen);
                }
            }
        }

        return found;
    }

    private static IEnumerable<JsonElement> Items(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in value.EnumerateArray())
            {
                yield return item;
            }
        }
        else
        {
            yield return value;
        }
    }

    // An attachment or link object: its url is a string, a Link object, or an array of them; a Link has href.
    private static void ReadItem(JsonElement item, List<MediaAttachment> found, HashSet<string> seen)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var mediaType = MediaTypeOf(item);
        var size = SizeOf(item);
        if (JsonRead.String(item, "href") is { } href)
        {
            Add(new MediaAttachment(href, mediaType, size), found, seen);
        }

        if (!item.TryGetProperty("url", out var url))
        {
            return;
        }

        foreach (var target in Items(url))
        {
            if (target.ValueKind == JsonValueKind.String)
            {
                Add(new MediaAttachment(target.GetString()!, mediaType, size), found, seen);
            }
            else if (target.ValueKind == JsonValueKind.Object && JsonRead.String(target, "href") is { } linked)
            {
                Add(new MediaAttachment(linked, MediaTypeOf(target) ?? mediaType, SizeOf(target) ?? size), found, seen);
            }
        }
    }

    private static void Add(MediaAttachment attachment, List<MediaAttachment> found, HashSet<string> seen)
    {
        if (found.Count < MaxItems && seen.Add(attachment.Url))
        {
            found.Add(attachment);
        }
    }

    private static string? MediaTypeOf(JsonElement item) => JsonRead.String(item, "mediaType") ?? JsonRead.String(item, "mimeType");

    private static long? SizeOf(JsonElement item) =>
        item.TryGetProperty("size", out var size) && size.ValueKind == JsonValueKind.Number && size.TryGetInt64(out var bytes) && bytes > 0 ? bytes : null;
}
