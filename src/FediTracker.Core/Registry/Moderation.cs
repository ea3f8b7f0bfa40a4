using FediTracker.Protocol;

namespace FediTracker.Core.Registry;

/// <summary>What a moderation does.</summary>
public enum ModerationKind
{
    /// <summary>Permanent: the hashes are refused for good (only an admin's restore undoes it).</summary>
    Revoke = 0,

    /// <summary>Reversible: the hashes are refused until restored (account suspensions).</summary>
    Suspend = 1,

    /// <summary>Undoes a revocation or suspension of the same target.</summary>
    Restore = 2,
}

/// <summary>What a moderation is aimed at.</summary>
public enum TargetKind
{
    /// <summary>One info-hash (v1 or v2); the whole torrent that carries it is concerned, or the bare hash if none.</summary>
    Hash = 0,

    /// <summary>Every torrent linked to an ActivityPub object URI, now and registered later.</summary>
    ObjectUri = 1,

    /// <summary>Every torrent of an actor URI, now and registered later.</summary>
    ActorUri = 2,
}

/// <summary>Where a moderation came from.</summary>
public enum ModerationSource
{
    /// <summary>The admin API, under a bearer token.</summary>
    Admin = 0,

    /// <summary>An ActivityPub activity delivered to the inbox (Delete, Update of a suspended actor).</summary>
    ActivityPub = 1,

    /// <summary>A revocation received from a tracker we federate with.</summary>
    Federation = 2,
}

/// <summary>The target of a moderation: for <see cref="TargetKind.Hash"/> the value is 40 lowercase hex digits.</summary>
public readonly record struct ModerationTarget(TargetKind Kind, string Value)
{
    public static ModerationTarget ForHash(InfoHash hash) => new(TargetKind.Hash, hash.ToString());

    public static ModerationTarget ForObject(string objectUri) => new(TargetKind.ObjectUri, objectUri);

    public static ModerationTarget ForActor(string actorUri) => new(TargetKind.ActorUri, actorUri);
}

/// <summary>A moderation to apply.</summary>
/// <param name="By">Who: an admin token's name, the signing actor, or the peer tracker's domain.</param>
public sealed record ModerationRequest(ModerationKind Kind, ModerationTarget Target, string Reason, ModerationSource Source, string By);

/// <summary>A moderation as recorded (append-only; the id is the paging cursor).</summary>
public sealed record ModerationRecord
{
    public required long Id { get; init; }

    public required ModerationKind Kind { get; init; }

    public required ModerationTarget Target { get; init; }

    public required string Reason { get; init; }

    public required ModerationSource Source { get; init; }

    public required string By { get; init; }

    public required DateTimeOffset At { get; init; }

    /// <summary>The hashes whose state this moderation changed.</summary>
    public required IReadOnlyList<InfoHash> Hashes { get; init; }
}

/// <summary>
/// The result of <see cref="ITorrentRegistry.ModerateAsync"/>. When nothing changed (a repeat), <see cref="Changed"/>
/// is false and <see cref="Record"/> is the earlier moderation that already put the target in that state (null for a
/// restore of something never blocked).
/// </summary>
/// <param name="Blocked">Hashes now refused (revoked or suspended) that were served before, or changed from suspended to revoked.</param>
/// <param name="Unblocked">Hashes served again (or forgotten) after a restore.</param>
public sealed record ModerationResult(bool Changed, ModerationRecord? Record, IReadOnlyList<InfoHash> Blocked, IReadOnlyList<InfoHash> Unblocked);
