using FediTracker.Protocol;

namespace FediTracker.Core.Registry;

/// <summary>What a caller asks the registry to record. At least one of <see cref="V1"/> and <see cref="V2"/> is set.</summary>
public sealed record TorrentRegistration
{
    public InfoHash? V1 { get; init; }

    public InfoHash? V2 { get; init; }

    public string? Name { get; init; }

    public string? ObjectUri { get; init; }

    public string? MediaUrl { get; init; }

    public string? ActorUri { get; init; }

    public long? Length { get; init; }

    /// <summary>The bencoded .torrent file, kept so it can be served; optional.</summary>
    public ReadOnlyMemory<byte>? Metainfo { get; init; }
}

/// <summary>How a registration ended.</summary>
public enum RegisterOutcome
{
    /// <summary>A new record was made.</summary>
    Created = 0,

    /// <summary>The same hashes were registered already with the same links; nothing changed (idempotent).</summary>
    AlreadyRegistered = 1,

    /// <summary>A hash, the object or the actor is revoked or suspended; only an admin's restore allows it again.</summary>
    Blocked = 2,

    /// <summary>A hash belongs to a different torrent record, or the same hashes with different links.</summary>
    Conflict = 3,
}

/// <summary>The outcome, and the record concerned (the new one, the existing one, or the one in the way; null when
/// a block has no torrent record behind it).</summary>
public sealed record RegisterResult(RegisterOutcome Outcome, TorrentRecord? Torrent, string? Detail = null);
