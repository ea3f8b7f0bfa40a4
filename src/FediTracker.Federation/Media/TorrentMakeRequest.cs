using FediTracker.Core.Registry;

namespace FediTracker.Federation.Media;

/// <summary>
/// What to make a torrent of, and what to link it to: the media's URL (fetched, and the web seed), the ActivityPub
/// object and actor, and who asks (written to the audit log with <see cref="Source"/>).
/// </summary>
public sealed record TorrentMakeRequest
{
    /// <summary>The media file's absolute http(s) URL: fetched once to hash it, then the torrent's web seed (BEP 19).</summary>
    public required Uri MediaUrl { get; init; }

    /// <summary>The object (status, note) the media is attached to.</summary>
    public string? ObjectUri { get; init; }

    /// <summary>The actor who posted the object.</summary>
    public string? ActorUri { get; init; }

    /// <summary>The file's name in the torrent; null takes the last segment of the media URL's path.</summary>
    public string? Name { get; init; }

    /// <summary>
    /// Files smaller than this are not made (<see cref="TorrentMakeOutcome.TooSmall"/>): a declared Content-Length below
    /// it ends the download before any byte is read; without one, the length hashed decides and nothing is registered.
    /// 0 (the default): no minimum.
    /// </summary>
    public long MinBytes { get; init; }

    /// <summary>Who registers it: an admin token's name, or the actor whose post it was made from.</summary>
    public required string By { get; init; }

    public ModerationSource Source { get; init; } = ModerationSource.Admin;
}
