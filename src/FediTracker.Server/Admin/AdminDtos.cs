using FediTracker.Core.Registry;
using FediTracker.Protocol;

namespace FediTracker.Server.Admin;

/// <summary>A page of results; pass <c>next</c> as <c>after</c> to read on (null on the last page).</summary>
public sealed record PageDto<T>(IReadOnlyList<T> Items, long? Next);

/// <summary>Body of <c>POST /api/v1/torrents</c>: at least one hash, and the links to the fediverse object.</summary>
public sealed record RegisterTorrentDto(
    string? InfoHashV1,
    string? InfoHashV2,
    string? Name,
    string? ObjectUri,
    string? MediaUrl,
    string? ActorUri,
    long? Length);

/// <summary>Live counts of one of a torrent's swarms (a hybrid torrent has one per hash).</summary>
public sealed record SwarmDto(string InfoHash, int Seeders, int Leechers, long Downloaded);

/// <summary>A registered torrent as the admin API shows it.</summary>
public sealed record TorrentDto(
    long Id,
    string? InfoHashV1,
    string? InfoHashV2,
    string? Name,
    string? ObjectUri,
    string? MediaUrl,
    string? ActorUri,
    long? Length,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    string Status,
    long? StatusModerationId,
    string? StatusReason,
    DateTimeOffset? StatusChangedAt,
    bool HasMetainfo,
    IReadOnlyList<SwarmDto>? Swarms)
{
    public static TorrentDto From(TorrentRecord record, IReadOnlyList<SwarmDto>? swarms = null) => new(
        record.Id,
        record.V1?.ToString(),
        record.V2?.ToString(),
        record.Name,
        record.ObjectUri,
        record.MediaUrl,
        record.ActorUri,
        record.Length,
        record.CreatedAt,
        record.CreatedBy,
        AdminText.Status(record.Status),
        record.StatusModerationId,
        record.StatusReason,
        record.StatusChangedAt,
        record.HasMetainfo,
        swarms);
}

/// <summary>Body of <c>POST /api/v1/revocations</c>, <c>/suspensions</c> and <c>/restorations</c>: exactly one target.</summary>
public sealed record ModerationRequestDto(string? InfoHash, string? ObjectUri, string? ActorUri, string? Reason);

/// <summary>A moderation record.</summary>
public sealed record ModerationDto(
    long Id,
    string Kind,
    string TargetKind,
    string Target,
    string Reason,
    string Source,
    string By,
    DateTimeOffset At,
    IReadOnlyList<string> InfoHashes)
{
    public static ModerationDto From(ModerationRecord record) => new(
        record.Id,
        AdminText.Kind(record.Kind),
        AdminText.TargetKind(record.Target.Kind),
        record.Target.Value,
        record.Reason,
        AdminText.Source(record.Source),
        record.By,
        record.At,
        [.. record.Hashes.Select(h => h.ToString())]);
}

/// <summary>The answer to a moderation: whether it changed anything, the record, and the hashes concerned.</summary>
public sealed record ModerationResultDto(bool Changed, ModerationDto? Moderation, IReadOnlyList<string> Blocked, IReadOnlyList<string> Unblocked)
{
    public static ModerationResultDto From(ModerationResult result) => new(
        result.Changed,
        result.Record is null ? null : ModerationDto.From(result.Record),
        [.. result.Blocked.Select(h => h.ToString())],
        [.. result.Unblocked.Select(h => h.ToString())]);
}

/// <summary>One audit log entry.</summary>
public sealed record AuditDto(long Id, DateTimeOffset At, string Action, string By, string Source, string Subject, string? Detail)
{
    public static AuditDto From(AuditEntry entry) => new(entry.Id, entry.At, AdminText.Action(entry.Action), entry.By, AdminText.Source(entry.Source), entry.Subject, entry.Detail);
}

/// <summary>Body of <c>POST /api/v1/passkeys</c>.</summary>
public sealed record CreatePasskeyDto(string? Label);

/// <summary>A passkey as listed (the passkey itself is never shown again).</summary>
public sealed record PasskeyDto(long Id, string Label, DateTimeOffset CreatedAt, string CreatedBy)
{
    public static PasskeyDto From(PasskeyRecord record) => new(record.Id, record.Label, record.CreatedAt, record.CreatedBy);
}

/// <summary>A new passkey, shown once: announce to <c>/announce/&lt;passkey&gt;</c>.</summary>
public sealed record CreatedPasskeyDto(long Id, string Label, string Passkey, string AnnouncePath, DateTimeOffset CreatedAt);

/// <summary>The names the API uses for the registry's enums.</summary>
internal static class AdminText
{
    public static string Status(AccessState state) => state switch
    {
        AccessState.Active => "active",
        AccessState.Suspended => "suspended",
        AccessState.Revoked => "revoked",
        _ => "unknown",
    };

    public static AccessState? ParseStatus(string? text) => text?.ToLowerInvariant() switch
    {
        "active" => AccessState.Active,
        "suspended" => AccessState.Suspended,
        "revoked" => AccessState.Revoked,
        _ => null,
    };

    public static string Kind(ModerationKind kind) => kind switch
    {
        ModerationKind.Revoke => "revocation",
        ModerationKind.Suspend => "suspension",
        _ => "restoration",
    };

    public static string TargetKind(Core.Registry.TargetKind kind) => kind switch
    {
        Core.Registry.TargetKind.Hash => "infohash",
        Core.Registry.TargetKind.ObjectUri => "object",
        _ => "actor",
    };

    public static string Source(ModerationSource source) => source switch
    {
        ModerationSource.Admin => "admin",
        ModerationSource.ActivityPub => "activitypub",
        _ => "federation",
    };

    public static string Action(AuditAction action) => action switch
    {
        AuditAction.Register => "register",
        AuditAction.Revoke => "revoke",
        AuditAction.Suspend => "suspend",
        AuditAction.Restore => "restore",
        AuditAction.PasskeyCreate => "passkey_create",
        _ => "passkey_delete",
    };

    public static bool TryHash(string? text, out InfoHash hash)
    {
        hash = default;
        return text is { Length: 40 } && InfoHash.TryParseHex(text, out hash);
    }
}
