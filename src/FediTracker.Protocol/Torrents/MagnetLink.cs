using System.Text;

namespace FediTracker.Protocol.Torrents;

/// <summary>
/// Magnet URIs (BEP 9): <c>xt=urn:btih:</c> with the v1 info-hash in hex, <c>xt=urn:btmh:1220</c> with the full v2
/// info-hash as a SHA-256 multihash (BEP 52), <c>dn</c> the name, <c>tr</c> each tracker, <c>ws</c> each web seed.
/// </summary>
public static class MagnetLink
{
    /// <summary>The magnet link of a parsed torrent: its hashes, name, every tracker (announce first, each once) and web seeds.</summary>
    public static string Create(TorrentMetainfo torrent)
    {
        ArgumentNullException.ThrowIfNull(torrent);
        var trackers = new List<string>();
        if (torrent.Announce is { Length: > 0 } announce)
        {
            trackers.Add(announce);
        }

        foreach (var tier in torrent.AnnounceList)
        {
            foreach (var url in tier)
            {
                if (url.Length > 0 && !trackers.Contains(url, StringComparer.Ordinal))
                {
                    trackers.Add(url);
                }
            }
        }

        return Create(torrent.InfoHashV1, torrent.InfoHashV2Full, torrent.Name, trackers, torrent.UrlList);
    }

    /// <exception cref="ArgumentException">Neither hash is given.</exception>
    public static string Create(InfoHash? v1, Bytes32? v2, string? name, IEnumerable<string> trackers, IEnumerable<string> webSeeds)
    {
        ArgumentNullException.ThrowIfNull(trackers);
        ArgumentNullException.ThrowIfNull(webSeeds);
        if (v1 is null && v2 is null)
        {
            throw new ArgumentException("A magnet link needs at least one info-hash.", nameof(v1));
        }

        var link = new StringBuilder("magnet:?");
        var separator = "";
        if (v1 is { } v1Hash)
        {
            link.Append("xt=urn:btih:").Append(v1Hash.ToHex());
            separator = "&";
        }

        if (v2 is { } v2Hash)
        {
            link.Append(separator).Append("xt=urn:btmh:1220").Append(v2Hash.ToHex());
        }

        if (!string.IsNullOrEmpty(name))
        {
            link.Append("&dn=").Append(Uri.EscapeDataString(name));
        }

        foreach (var tracker in trackers)
        {
            link.Append("&tr=").Append(Uri.EscapeDataString(tracker));
        }

        foreach (var seed in webSeeds)
        {
            link.Append("&ws=").Append(Uri.EscapeDataString(seed));
        }

        return link.ToString();
    }
}
