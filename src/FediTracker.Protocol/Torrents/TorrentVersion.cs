namespace FediTracker.Protocol.Torrents;

/// <summary>Which BitTorrent metainfo formats a torrent carries.</summary>
public enum TorrentVersion
{
    /// <summary>BEP 3 only: <c>pieces</c> (SHA-1 per piece); identified by the SHA-1 of the info dictionary.</summary>
    V1 = 1,

    /// <summary>BEP 52 only: <c>file tree</c> with per-file SHA-256 merkle roots; identified by the SHA-256 of the info dictionary.</summary>
    V2 = 2,

    /// <summary>Both in one info dictionary (BEP 52 hybrid): v1 clients use the SHA-1 hash, v2 clients the SHA-256 one.</summary>
    Hybrid = 3,
}
