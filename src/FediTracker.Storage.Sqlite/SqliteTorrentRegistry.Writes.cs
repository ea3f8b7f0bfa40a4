using FediTracker.Core.Registry;
using FediTracker.Protocol;
using static FediTracker.Storage.Sqlite.SqliteRows;

namespace FediTracker.Storage.Sqlite;

/// <summary>Registration and passkeys.</summary>
public sealed partial class SqliteTorrentRegistry
{
    private const int PasskeyDigestLength = 32;

    public Task<RegisterResult> RegisterAsync(TorrentRegistration registration, string by, ModerationSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        ArgumentNullException.ThrowIfNull(by);
        if (registration.V1 is null && registration.V2 is null)
        {
            throw new ArgumentException("A torrent needs a v1 or a v2 info-hash.", nameof(registration));
        }

        if (registration.V1 == registration.V2)
        {
            throw new ArgumentException("The v1 and v2 info-hashes must differ.", nameof(registration));
        }

        if (registration.Metainfo is { Length: > MaxMetainfoLength })
        {
            throw new ArgumentException($"Metainfo is limited to {MaxMetainfoLength} bytes.", nameof(registration));
        }

        return WriteAsync("register", context => Register(context, registration, by, source), cancellationToken);
    }

    public Task<PasskeyRecord> AddPasskeyAsync(byte[] digest, string label, string by, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(digest);
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(by);
        if (digest.Length != PasskeyDigestLength)
        {
            throw new ArgumentException("A passkey digest is 32 bytes (SHA-256).", nameof(digest));
        }

        var copy = (byte[])digest.Clone();
        return WriteAsync("add passkey", context =>
        {
            if (context.ScalarInt64("SELECT id FROM passkeys WHERE digest = $digest", ("$digest", copy)) is not null)
            {
                throw new ArgumentException("This passkey exists already (or existed and was removed).", nameof(digest));
            }

            var id = context.ScalarInt64(
                """
                INSERT INTO passkeys (digest, label, created_at, created_by, valid, version)
                VALUES ($digest, $label, $at, $by, 1, $version)
                RETURNING id
                """,
                ("$digest", copy),
                ("$label", label),
                ("$at", context.Now),
                ("$by", by),
                ("$version", context.NextVersion()))!.Value;
            context.Audit(AuditAction.PasskeyCreate, by, ModerationSource.Admin, Decimal(id), label);
            return new PasskeyRecord { Id = id, Label = label, CreatedAt = context.At, CreatedBy = by };
        }, cancellationToken);
    }

    public Task<bool> RemovePasskeyAsync(long id, string by, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(by);
        return WriteAsync("remove passkey", context =>
        {
            if (context.ScalarInt64("SELECT id FROM passkeys WHERE id = $id AND valid = 1", ("$id", id)) is null)
            {
                return false;
            }

            context.Execute(
                "UPDATE passkeys SET valid = 0, version = $version, removed_at = $at, removed_by = $by WHERE id = $id",
                ("$version", context.NextVersion()),
                ("$at", context.Now),
                ("$by", by),
                ("$id", id));
            context.Audit(AuditAction.PasskeyDelete, by, ModerationSource.Admin, Decimal(id), null);
            return true;
        }, cancellationToken);
    }

    private static RegisterResult Register(WriteContext context, TorrentRegistration registration, string by, ModerationSource source)
    {
        var hashes = new List<InfoHash>(2);
        if (registration.V1 is { } v1)
        {
            hashes.Add(v1);
        }

        if (registration.V2 is { } v2)
        {
            hashes.Add(v2);
        }

        TorrentRecord? carrier = null;
        var carriers = 0;
        foreach (var hash in hashes)
        {
            if (FindTorrent(context, hash) is { } torrent && torrent.Id != carrier?.Id)
            {
                carrier ??= torrent;
                carriers++;
            }
        }

        foreach (var hash in hashes)
        {
            var state = ReadState(context, hash);
            if (state >= AccessState.Suspended)
            {
                return new RegisterResult(RegisterOutcome.Blocked, carrier, $"hash {hash} is {Describe(state)}");
            }
        }

        if (registration.ObjectUri is { } objectUri && ReadBlock(context, TargetKind.ObjectUri, objectUri) is { } objectBlock)
        {
            return new RegisterResult(RegisterOutcome.Blocked, carrier, $"object {objectUri} is {Describe(objectBlock.State)}");
        }

        if (registration.ActorUri is { } actorUri && ReadBlock(context, TargetKind.ActorUri, actorUri) is { } actorBlock)
        {
            return new RegisterResult(RegisterOutcome.Blocked, carrier, $"actor {actorUri} is {Describe(actorBlock.State)}");
        }

        if (carrier is not null)
        {
            var same = carriers == 1
                && carrier.V1 == registration.V1
                && carrier.V2 == registration.V2
                && carrier.ObjectUri == registration.ObjectUri
                && carrier.MediaUrl == registration.MediaUrl
                && carrier.ActorUri == registration.ActorUri;
            return same
                ? new RegisterResult(RegisterOutcome.AlreadyRegistered, carrier)
                : new RegisterResult(RegisterOutcome.Conflict, carrier, $"hash carried by torrent {carrier.Id} with other links");
        }

        var metainfo = registration.Metainfo;
        var id = context.ScalarInt64(
            """
            INSERT INTO torrents (v1, v2, name, object_uri, media_url, actor_uri, length, created_at, created_by, status, has_metainfo)
            VALUES ($v1, $v2, $name, $object, $media, $actor, $length, $at, $by, $status, $metainfo)
            RETURNING id
            """,
            ("$v1", Bytes(registration.V1)),
            ("$v2", Bytes(registration.V2)),
            ("$name", registration.Name),
            ("$object", registration.ObjectUri),
            ("$media", registration.MediaUrl),
            ("$actor", registration.ActorUri),
            ("$length", registration.Length),
            ("$at", context.Now),
            ("$by", by),
            ("$status", (long)AccessState.Active),
            ("$metainfo", metainfo is null ? 0L : 1L))!.Value;
        if (metainfo is { } data)
        {
            context.Execute("INSERT INTO metainfo (torrent_id, data) VALUES ($id, $data)", ("$id", id), ("$data", data.ToArray()));
        }

        foreach (var hash in hashes)
        {
            SetState(context, hash, AccessState.Active, id);
        }

        context.Audit(
            AuditAction.Register,
            by,
            source,
            hashes[0].ToString(),
            $"object={registration.ObjectUri ?? "-"} media={registration.MediaUrl ?? "-"} actor={registration.ActorUri ?? "-"}");

        return new RegisterResult(RegisterOutcome.Created, new TorrentRecord
        {
            Id = id,
            V1 = registration.V1,
            V2 = registration.V2,
            Name = registration.Name,
            ObjectUri = registration.ObjectUri,
            MediaUrl = registration.MediaUrl,
            ActorUri = registration.ActorUri,
            Length = registration.Length,
            CreatedAt = context.At,
            CreatedBy = by,
            Status = AccessState.Active,
            HasMetainfo = metainfo is not null,
        });
    }

    // ---------------------------------------------------------------- helpers shared with moderation

    private static TorrentRecord? FindTorrent(WriteContext context, InfoHash hash)
    {
        using var command = context.Command(FindByHashSql, ("$hash", Bytes(hash)));
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadTorrent(reader) : null;
    }

    private static AccessState ReadState(WriteContext context, InfoHash hash) =>
        context.ScalarInt64("SELECT state FROM hash_states WHERE hash = $hash", ("$hash", Bytes(hash))) is { } state
            ? (AccessState)state
            : AccessState.Unknown;

    /// <summary>Writes a hash's new state with the next feed version (a row is created, or updated in place).</summary>
    private static void SetState(WriteContext context, InfoHash hash, AccessState state, long? torrentId) =>
        context.Execute(
            """
            INSERT INTO hash_states (hash, state, version, torrent_id) VALUES ($hash, $state, $version, $torrent)
            ON CONFLICT (hash) DO UPDATE SET state = excluded.state, version = excluded.version, torrent_id = excluded.torrent_id
            """,
            ("$hash", Bytes(hash)),
            ("$state", (long)state),
            ("$version", context.NextVersion()),
            ("$torrent", torrentId));

    private static Block? ReadBlock(WriteContext context, TargetKind kind, string value)
    {
        using var command = context.Command(
            "SELECT state, moderation_id FROM target_blocks WHERE target_kind = $kind AND target_value = $value",
            ("$kind", (long)kind),
            ("$value", value));
        using var reader = command.ExecuteReader();
        return reader.Read() ? new Block((AccessState)reader.GetInt64(0), reader.GetInt64(1)) : null;
    }

    private static string Describe(AccessState state) => state == AccessState.Revoked ? "revoked" : "suspended";

    /// <summary>A target block: the state it holds its target at, and the moderation that set it.</summary>
    private readonly record struct Block(AccessState State, long ModerationId);
}
