using FediTracker.Protocol;

namespace FediTracker.Core.Registry;

/// <summary>
/// A registered torrent: its info-hashes (v1 and, for a hybrid or v2 torrent, the v2 hash truncated to 20 bytes as
/// BEP 52 announces it) and the ActivityPub object it came from. Every hash of a torrent shares its status.
/// </summary>
public sealed record TorrentRecord
{
    /// <summary>The registry's own id; ascending in registration order (the paging cursor).</summary>
    public required long Id { get; init; }

    public InfoHash? V1 { get; init; }

    /// <summary>The BEP 52 info-hash (SHA-256 of the info dictionary) truncated to its first 20 bytes.</summary>
    public InfoHash? V2 { get; init; }

    public string? Name { get; init; }

    /// <summary>The ActivityPub object (the status/note) the media belongs to.</summary>
    public string? ObjectUri { get; init; }

    /// <summary>The attachment's media URL (also the torrent's web seed).</summary>
    public string? MediaUrl { get; init; }

    /// <summary>The actor who posted the object.</summary>
    public string? ActorUri { get; init; }

    /// <summary>Total size of the content in bytes, when known.</summary>
    public long? Length { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Who registered it: an admin token's name, "activitypub", or "federation:&lt;domain&gt;".</summary>
    public required string CreatedBy { get; init; }

    public required AccessState Status { get; init; }

    /// <summary>The moderation record that set the current status (null while never moderated).</summary>
    public long? StatusModerationId { get; init; }

    /// <summary>Reason given by the moderation that set the current status.</summary>
    public string? StatusReason { get; init; }

    public DateTimeOffset? StatusChangedAt { get; init; }

    /// <summary>True when the registry holds the torrent's metainfo (the .torrent file).</summary>
    public bool HasMetainfo { get; init; }

    /// <summary>The hashes the torrent is announced under: v1 first, then v2.</summary>
    public IReadOnlyList<InfoHash> Hashes => (V1, V2) switch
    {
        ({ } v1, { } v2) => [v1, v2],
        ({ } v1, null) => [v1],
        (null, { } v2) => [v2],
        _ => [],
    };
}
