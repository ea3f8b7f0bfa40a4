namespace FediTracker.Protocol.Torrents;

/// <summary>What <see cref="TorrentBuilder"/> puts in a single-file torrent besides the hashes.</summary>
public sealed class TorrentBuildOptions
{
    /// <summary>The file's name in the torrent (<c>name</c>, and the v2 <c>file tree</c> entry): one path component.</summary>
    public required string Name { get; init; }

    /// <summary>
    /// A power of two from <see cref="TorrentBuilder.MinPieceLength"/> to <see cref="TorrentBuilder.MaxPieceLength"/>,
    /// or null to let <see cref="TorrentBuilder.ChoosePieceLength"/> pick one from the content length.
    /// </summary>
    public int? PieceLength { get; init; }

    /// <summary>
    /// The content length, when the stream cannot tell it (not seekable) and the piece length is automatic. Only
    /// used to choose the piece length; the torrent describes the bytes actually read.
    /// </summary>
    public long? ContentLength { get; init; }

    public TorrentVersion Version { get; init; } = TorrentVersion.Hybrid;

    /// <summary>The tracker (<c>announce</c>); also the first tier of <c>announce-list</c> when <see cref="Trackers"/> is not empty.</summary>
    public Uri? Announce { get; init; }

    /// <summary>More trackers, each its own BEP 12 tier after the announce URL's. Needs <see cref="Announce"/>.</summary>
    public IReadOnlyList<Uri> Trackers { get; init; } = [];

    /// <summary>BEP 19 web seeds (<c>url-list</c>): HTTP URLs of the file itself.</summary>
    public IReadOnlyList<Uri> WebSeeds { get; init; } = [];

    /// <summary>Sets <c>private</c> to 1 in the info dictionary (BEP 27); changes the info-hashes.</summary>
    public bool IsPrivate { get; init; }

    public string? Comment { get; init; }

    public string? CreatedBy { get; init; }

    /// <summary>Written as <c>creation date</c> (Unix seconds); null leaves it out, so the same input gives the same bytes.</summary>
    public DateTimeOffset? CreationDate { get; init; }

    /// <summary>For a hybrid torrent, hash v1 (SHA-1) and v2 (SHA-256) on two threads when the machine has two cores or more.</summary>
    public bool ParallelHashing { get; init; } = true;
}
