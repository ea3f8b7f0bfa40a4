namespace FediTracker.Protocol.Torrents;

/// <summary>A torrent made by <see cref="TorrentBuilder"/>: the .torrent bytes and what identifies them.</summary>
public sealed class TorrentBuildResult
{
    internal TorrentBuildResult()
    {
    }

    /// <summary>The bencoded .torrent file.</summary>
    public ReadOnlyMemory<byte> Metainfo { get; internal init; }

    public TorrentVersion Version { get; internal init; }

    /// <summary>The SHA-1 of the info dictionary, for v1 and hybrid torrents.</summary>
    public InfoHash? InfoHashV1 { get; internal init; }

    /// <summary>The SHA-256 of the info dictionary, for v2 and hybrid torrents.</summary>
    public Bytes32? InfoHashV2Full { get; internal init; }

    /// <summary><see cref="InfoHashV2Full"/> truncated to 20 bytes, as v2 clients announce it.</summary>
    public InfoHash? InfoHashV2 => InfoHashV2Full is { } full ? new InfoHash(full.Truncate()) : null;

    /// <summary>The number of bytes read from the stream: the file's length.</summary>
    public long Length { get; internal init; }

    public int PieceLength { get; internal init; }

    public long PieceCount { get; internal init; }
}
