using FediTracker.Core.Registry;
using FediTracker.Protocol;
using static FediTracker.Storage.Sqlite.SqliteRows;

namespace FediTracker.Storage.Sqlite;

/// <summary>Revoke, suspend and restore (SEMANTICS.md, "Moderate").</summary>
public sealed partial class SqliteTorrentRegistry
{
    public Task<ModerationResult> ModerateAsync(ModerationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Reason, nameof(request));
        ArgumentNullException.ThrowIfNull(request.By, nameof(request));
        if (!Enum.IsDefined(request.Kind) || !Enum.IsDefined(request.Target.Kind) || !Enum.IsDefined(request.Source))
        {
            throw new ArgumentException("Unknown moderation kind, target kind or source.", nameof(request));
        }

        ArgumentException.ThrowIfNullOrEmpty(request.Target.Value, nameof(request));
        InfoHash? hash = null;
        var target = request.Target;
        if (target.Kind == TargetKind.Hash)
        {
            if (!InfoHash.TryParseHex(target.Value, out var parsed))
            {
                throw new ArgumentException("A hash target is 40 hex digits.", nameof(request));
            }

            hash = parsed;
            target = ModerationTarget.ForHash(parsed);
        }

        return request.Kind switch
        {
            ModerationKind.Restore => WriteAsync("restore", context => Restore(context, request, target, hash), cancellationToken),
            ModerationKind.Revoke => WriteAsync("revoke", context => Impose(context, request, target, hash, AccessState.Revoked), cancellationToken),
            _ => WriteAsync("suspend", context => Impose(context, request, target, hash, AccessState.Suspended), cancellationToken),
        };
    }

    private static ModerationResult Impose(WriteContext context, ModerationRequest request, ModerationTarget target, InfoHash? hash, AccessState state)
    {
        var torrents = ConcernedTorrents(context, target, hash);
        var concerned = new List<(InfoHash Hash, long? TorrentId)>();
        foreach (var torrent in torrents)
        {
            foreach (var carried in torrent.Hashes)
            {
                concerned.Add((carried, torrent.Id));
            }
        }

        if (hash is { } bare && torrents.Count == 0)
        {
            concerned.Add((bare, null));
        }

        var changes = concerned.Where(c => ReadState(context, c.Hash) < state).ToList();
        var block = ReadBlock(context, target.Kind, target.Value);
        var blockChanges = block is not { } existing || existing.State < state;
        if (changes.Count == 0 && !blockChanges)
        {
            var holder = block?.ModerationId ?? torrents.FirstOrDefault()?.StatusModerationId;
            return new ModerationResult(false, holder is { } id ? LoadModeration(context, id) : null, [], []);
        }

        var changed = changes.Select(c => c.Hash).ToList();
        var record = InsertModeration(context, request, target, changed);
        foreach (var (changedHash, torrentId) in changes)
        {
            SetState(context, changedHash, state, torrentId);
        }

        foreach (var torrent in torrents)
        {
            if (torrent.Status < state)
            {
                SetStatus(context, torrent.Id, state, record.Id, request.Reason, context.Now);
            }
        }

        context.Execute(
            """
            INSERT INTO target_blocks (target_kind, target_value, state, moderation_id) VALUES ($kind, $value, $state, $moderation)
            ON CONFLICT (target_kind, target_value) DO UPDATE SET state = excluded.state, moderation_id = excluded.moderation_id
            """,
            ("$kind", (long)target.Kind),
            ("$value", target.Value),
            ("$state", (long)state),
            ("$moderation", record.Id));
        context.Audit(state == AccessState.Revoked ? AuditAction.Revoke : AuditAction.Suspend, request.By, request.Source, target.Value, request.Reason);
        return new ModerationResult(true, record, changed, []);
    }

    private static ModerationResult Restore(WriteContext context, ModerationRequest request, ModerationTarget target, InfoHash? hash) =>
        hash is { } value ? RestoreHash(context, request, target, value) : RestoreLink(context, request, target);

    /// <summary>Restore by hash: whatever blocked the torrent (or the bare hash), it is served (or forgotten) again.</summary>
    private static ModerationResult RestoreHash(WriteContext context, ModerationRequest request, ModerationTarget target, InfoHash hash)
    {
        var torrent = FindTorrent(context, hash);
        IReadOnlyList<InfoHash> concerned = torrent?.Hashes ?? [hash];
        var changed = concerned.Where(h => ReadState(context, h) >= AccessState.Suspended).ToList();
        var removedBlocks = 0;
        foreach (var h in concerned)
        {
            removedBlocks += context.Execute(
                "DELETE FROM target_blocks WHERE target_kind = $kind AND target_value = $value",
                ("$kind", (long)TargetKind.Hash),
                ("$value", h.ToString()));
        }

        if (changed.Count == 0 && removedBlocks == 0)
        {
            return new ModerationResult(false, null, [], []);
        }

        var record = InsertModeration(context, request, target, changed);
        foreach (var h in changed)
        {
            SetState(context, h, torrent is null ? AccessState.Unknown : AccessState.Active, torrent?.Id);
        }

        if (torrent is not null && torrent.Status != AccessState.Active)
        {
            SetStatus(context, torrent.Id, AccessState.Active, record.Id, request.Reason, context.Now);
        }

        context.Audit(AuditAction.Restore, request.By, request.Source, target.Value, request.Reason);
        return new ModerationResult(true, record, [], changed);
    }

    /// <summary>
    /// Restore by object or actor: the target's block goes, and each torrent whose status that target set takes the
    /// strongest block still in force on it (its hashes, object, actor), or becomes active when none is left.
    /// </summary>
    private static ModerationResult RestoreLink(WriteContext context, ModerationRequest request, ModerationTarget target)
    {
        var column = target.Kind == TargetKind.ObjectUri ? "object_uri" : "actor_uri";
        var torrents = new List<TorrentRecord>();
        using (var command = context.Command(
            $"""
            SELECT {TorrentColumns} FROM torrents t JOIN moderations m ON m.id = t.status_moderation_id
            WHERE t.{column} = $value AND t.status <> $active AND m.target_kind = $kind AND m.target_value = $value
            ORDER BY t.id
            """,
            ("$value", target.Value),
            ("$active", (long)AccessState.Active),
            ("$kind", (long)target.Kind)))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                torrents.Add(ReadTorrent(reader));
            }
        }

        var removed = context.Execute(
            "DELETE FROM target_blocks WHERE target_kind = $kind AND target_value = $value",
            ("$kind", (long)target.Kind),
            ("$value", target.Value));
        if (removed == 0 && torrents.Count == 0)
        {
            return new ModerationResult(false, null, [], []);
        }

        var plans = new List<(TorrentRecord Torrent, Block? Remaining)>(torrents.Count);
        var changes = new List<(InfoHash Hash, AccessState State, long TorrentId)>();
        foreach (var torrent in torrents)
        {
            var remaining = StrongestBlock(context, torrent);
            var state = remaining?.State ?? AccessState.Active;
            plans.Add((torrent, remaining));
            foreach (var h in torrent.Hashes)
            {
                if (ReadState(context, h) != state)
                {
                    changes.Add((h, state, torrent.Id));
                }
            }
        }

        var record = InsertModeration(context, request, target, [.. changes.Select(c => c.Hash)]);
        foreach (var (h, state, torrentId) in changes)
        {
            SetState(context, h, state, torrentId);
        }

        foreach (var (torrent, remaining) in plans)
        {
            if (remaining is { } block)
            {
                var holder = LoadModeration(context, block.ModerationId)!;
                SetStatus(context, torrent.Id, block.State, holder.Id, holder.Reason, Milliseconds(holder.At));
            }
            else
            {
                SetStatus(context, torrent.Id, AccessState.Active, record.Id, request.Reason, context.Now);
            }
        }

        context.Audit(AuditAction.Restore, request.By, request.Source, target.Value, request.Reason);
        return new ModerationResult(true, record, [], [.. changes.Where(c => c.State == AccessState.Active).Select(c => c.Hash)]);
    }

    /// <summary>The strongest target block on a torrent's hashes, object or actor (the latest among equals), if any.</summary>
    private static Block? StrongestBlock(WriteContext context, TorrentRecord torrent)
    {
        Block? strongest = null;
        void Consider(TargetKind kind, string? value)
        {
            if (value is not null && ReadBlock(context, kind, value) is { } block &&
                (strongest is not { } best || block.State > best.State || (block.State == best.State && block.ModerationId > best.ModerationId)))
            {
                strongest = block;
            }
        }

        foreach (var h in torrent.Hashes)
        {
            Consider(TargetKind.Hash, h.ToString());
        }

        Consider(TargetKind.ObjectUri, torrent.ObjectUri);
        Consider(TargetKind.ActorUri, torrent.ActorUri);
        return strongest;
    }

    private static List<TorrentRecord> ConcernedTorrents(WriteContext context, ModerationTarget target, InfoHash? hash)
    {
        if (hash is { } value)
        {
            return FindTorrent(context, value) is { } torrent ? [torrent] : [];
        }

        var column = target.Kind == TargetKind.ObjectUri ? "object_uri" : "actor_uri";
        using var command = context.Command($"SELECT {TorrentColumns} FROM torrents t WHERE t.{column} = $value ORDER BY t.id", ("$value", target.Value));
        using var reader = command.ExecuteReader();
        var torrents = new List<TorrentRecord>();
        while (reader.Read())
        {
            torrents.Add(ReadTorrent(reader));
        }

        return torrents;
    }

    private static ModerationRecord InsertModeration(WriteContext context, ModerationRequest request, ModerationTarget target, List<InfoHash> hashes)
    {
        var id = context.ScalarInt64(
            """
            INSERT INTO moderations (kind, target_kind, target_value, reason, source, moderated_by, at, hashes)
            VALUES ($kind, $targetKind, $targetValue, $reason, $source, $by, $at, $hashes)
            RETURNING id
            """,
            ("$kind", (long)request.Kind),
            ("$targetKind", (long)target.Kind),
            ("$targetValue", target.Value),
            ("$reason", request.Reason),
            ("$source", (long)request.Source),
            ("$by", request.By),
            ("$at", context.Now),
            ("$hashes", Concat(hashes)))!.Value;
        return new ModerationRecord
        {
            Id = id,
            Kind = request.Kind,
            Target = target,
            Reason = request.Reason,
            Source = request.Source,
            By = request.By,
            At = context.At,
            Hashes = hashes,
        };
    }

    private static ModerationRecord? LoadModeration(WriteContext context, long id)
    {
        using var command = context.Command($"SELECT {ModerationColumns} FROM moderations WHERE id = $id", ("$id", id));
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadModeration(reader) : null;
    }

    private static void SetStatus(WriteContext context, long torrentId, AccessState status, long moderationId, string reason, long at) =>
        context.Execute(
            "UPDATE torrents SET status = $status, status_moderation_id = $moderation, status_reason = $reason, status_changed_at = $at WHERE id = $id",
            ("$status", (long)status),
            ("$moderation", moderationId),
            ("$reason", reason),
            ("$at", at),
            ("$id", torrentId));
}
