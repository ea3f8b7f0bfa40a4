using System.Text;
using FediTracker.Core.Registry;
using FediTracker.Protocol;
using Microsoft.Data.Sqlite;
using static FediTracker.Storage.Sqlite.SqliteRows;

namespace FediTracker.Storage.Sqlite;

/// <summary>Reads: lookups, lists, the audit log and the access feed.</summary>
public sealed partial class SqliteTorrentRegistry
{
    private const string FindByHashSql = $"SELECT {TorrentColumns} FROM torrents t WHERE t.v1 = $hash OR t.v2 = $hash";

    public Task<TorrentRecord?> FindAsync(InfoHash hash, CancellationToken cancellationToken) =>
        ReadAsync("find", connection => FindTorrent(connection, null, hash), cancellationToken);

    public Task<AccessState> GetStateAsync(InfoHash hash, CancellationToken cancellationToken) =>
        ReadAsync("get state", connection => ReadState(connection, null, hash), cancellationToken);

    public Task<byte[]?> GetMetainfoAsync(InfoHash hash, CancellationToken cancellationToken) =>
        ReadAsync("get metainfo", connection =>
        {
            using var command = Command(
                connection,
                null,
                "SELECT m.data FROM torrents t JOIN metainfo m ON m.torrent_id = t.id WHERE t.v1 = $hash OR t.v2 = $hash",
                [("$hash", Bytes(hash))]);
            return command.ExecuteScalar() as byte[];
        }, cancellationToken);

    public Task<Page<TorrentRecord>> ListAsync(TorrentQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var limit = ClampPage(query.Limit);
        var sql = new StringBuilder($"SELECT {TorrentColumns} FROM torrents t WHERE t.id > $after");
        if (query.ObjectUri is not null)
        {
            sql.Append(" AND t.object_uri = $object");
        }

        if (query.ActorUri is not null)
        {
            sql.Append(" AND t.actor_uri = $actor");
        }

        if (query.MediaUrl is not null)
        {
            sql.Append(" AND t.media_url = $media");
        }

        if (query.Status is not null)
        {
            sql.Append(" AND t.status = $status");
        }

        sql.Append(" ORDER BY t.id LIMIT $limit");
        var text = sql.ToString();
        return ReadAsync("list torrents", connection =>
        {
            using var command = Command(
                connection,
                null,
                text,
                [
                    ("$after", query.After),
                    ("$object", query.ObjectUri),
                    ("$actor", query.ActorUri),
                    ("$media", query.MediaUrl),
                    ("$status", (long?)query.Status),
                    ("$limit", (long)limit),
                ]);
            using var reader = command.ExecuteReader();
            var items = new List<TorrentRecord>();
            while (reader.Read())
            {
                items.Add(ReadTorrent(reader));
            }

            return new Page<TorrentRecord>(items, items.Count == limit ? items[^1].Id : null);
        }, cancellationToken);
    }

    public Task<Page<ModerationRecord>> ListModerationsAsync(long after, int limit, CancellationToken cancellationToken)
    {
        var size = ClampPage(limit);
        return ReadAsync("list moderations", connection =>
        {
            using var command = Command(
                connection,
                null,
                $"SELECT {ModerationColumns} FROM moderations WHERE id > $after ORDER BY id LIMIT $limit",
                [("$after", after), ("$limit", (long)size)]);
            using var reader = command.ExecuteReader();
            var items = new List<ModerationRecord>();
            while (reader.Read())
            {
                items.Add(ReadModeration(reader));
            }

            return new Page<ModerationRecord>(items, items.Count == size ? items[^1].Id : null);
        }, cancellationToken);
    }

    public Task<Page<AuditEntry>> ReadAuditAsync(long after, int limit, CancellationToken cancellationToken)
    {
        var size = ClampPage(limit);
        return ReadAsync("read audit", connection =>
        {
            using var command = Command(
                connection,
                null,
                "SELECT id, at, action, actor, source, subject, detail FROM audit WHERE id > $after ORDER BY id LIMIT $limit",
                [("$after", after), ("$limit", (long)size)]);
            using var reader = command.ExecuteReader();
            var items = new List<AuditEntry>();
            while (reader.Read())
            {
                items.Add(new AuditEntry
                {
                    Id = reader.GetInt64(0),
                    At = Time(reader.GetInt64(1)),
                    Action = (AuditAction)reader.GetInt64(2),
                    By = reader.GetString(3),
                    Source = (ModerationSource)reader.GetInt64(4),
                    Subject = reader.GetString(5),
                    Detail = StringOrNull(reader, 6),
                });
            }

            return new Page<AuditEntry>(items, items.Count == size ? items[^1].Id : null);
        }, cancellationToken);
    }

    public Task<AccessChangeBatch> ReadAccessChangesAsync(long afterVersion, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return ReadAsync("read access changes", connection =>
        {
            using var command = Command(
                connection,
                null,
                """
                SELECT version, hash, state, NULL AS digest, 0 AS valid FROM hash_states WHERE version > $after
                UNION ALL
                SELECT version, NULL, 0, digest, valid FROM passkeys WHERE version > $after
                ORDER BY 1
                LIMIT $limit
                """,
                [("$after", afterVersion), ("$limit", (long)limit)]);
            using var reader = command.ExecuteReader();
            var changes = new List<AccessChange>();
            while (reader.Read())
            {
                var version = reader.GetInt64(0);
                changes.Add(reader.IsDBNull(3)
                    ? new AccessChange(version, InfoHash.Read(reader.GetFieldValue<byte[]>(1)), (AccessState)reader.GetInt64(2))
                    : new AccessChange(version, default, AccessState.Unknown, reader.GetFieldValue<byte[]>(3), reader.GetInt64(4) != 0));
            }

            return new AccessChangeBatch(changes, changes.Count > 0 ? changes[^1].Version : afterVersion);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<PasskeyRecord>> ListPasskeysAsync(CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<PasskeyRecord>>("list passkeys", connection =>
        {
            using var command = Command(connection, null, "SELECT id, label, created_at, created_by FROM passkeys WHERE valid = 1 ORDER BY id", []);
            using var reader = command.ExecuteReader();
            var items = new List<PasskeyRecord>();
            while (reader.Read())
            {
                items.Add(new PasskeyRecord
                {
                    Id = reader.GetInt64(0),
                    Label = reader.GetString(1),
                    CreatedAt = Time(reader.GetInt64(2)),
                    CreatedBy = reader.GetString(3),
                });
            }

            return items;
        }, cancellationToken);

    // ---------------------------------------------------------------- shared by reads and writes

    private static TorrentRecord? FindTorrent(SqliteConnection connection, SqliteTransaction? transaction, InfoHash hash)
    {
        using var command = Command(connection, transaction, FindByHashSql, [("$hash", Bytes(hash))]);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadTorrent(reader) : null;
    }

    private static AccessState ReadState(SqliteConnection connection, SqliteTransaction? transaction, InfoHash hash)
    {
        using var command = Command(connection, transaction, "SELECT state FROM hash_states WHERE hash = $hash", [("$hash", Bytes(hash))]);
        return command.ExecuteScalar() is long state ? (AccessState)state : AccessState.Unknown;
    }
}
