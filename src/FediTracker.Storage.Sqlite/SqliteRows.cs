using System.Globalization;
using FediTracker.Core.Registry;
using FediTracker.Protocol;
using Microsoft.Data.Sqlite;

namespace FediTracker.Storage.Sqlite;

/// <summary>Conversions between the registry's types and the columns that hold them.</summary>
internal static class SqliteRows
{
    public const string TorrentColumns =
        "t.id, t.v1, t.v2, t.name, t.object_uri, t.media_url, t.actor_uri, t.length, t.created_at, t.created_by, " +
        "t.status, t.status_moderation_id, t.status_reason, t.status_changed_at, t.has_metainfo";

    public const string ModerationColumns = "id, kind, target_kind, target_value, reason, source, moderated_by, at, hashes";

    public static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    public static byte[] Bytes(InfoHash hash)
    {
        var bytes = new byte[Bytes20.Length];
        hash.CopyTo(bytes);
        return bytes;
    }

    public static byte[]? Bytes(InfoHash? hash) => hash is { } value ? Bytes(value) : null;

    public static byte[] Concat(IReadOnlyList<InfoHash> hashes)
    {
        var bytes = new byte[hashes.Count * Bytes20.Length];
        for (var i = 0; i < hashes.Count; i++)
        {
            hashes[i].CopyTo(bytes.AsSpan(i * Bytes20.Length, Bytes20.Length));
        }

        return bytes;
    }

    public static long Milliseconds(DateTimeOffset at) => at.ToUnixTimeMilliseconds();

    public static DateTimeOffset Time(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);

    public static string Decimal(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Reads <see cref="TorrentColumns"/> starting at column 0.</summary>
    public static TorrentRecord ReadTorrent(SqliteDataReader reader) => new()
    {
        Id = reader.GetInt64(0),
        V1 = HashOrNull(reader, 1),
        V2 = HashOrNull(reader, 2),
        Name = StringOrNull(reader, 3),
        ObjectUri = StringOrNull(reader, 4),
        MediaUrl = StringOrNull(reader, 5),
        ActorUri = StringOrNull(reader, 6),
        Length = reader.IsDBNull(7) ? null : reader.GetInt64(7),
        CreatedAt = Time(reader.GetInt64(8)),
        CreatedBy = reader.GetString(9),
        Status = (AccessState)reader.GetInt64(10),
        StatusModerationId = reader.IsDBNull(11) ? null : reader.GetInt64(11),
        StatusReason = StringOrNull(reader, 12),
        StatusChangedAt = reader.IsDBNull(13) ? null : Time(reader.GetInt64(13)),
        HasMetainfo = reader.GetInt64(14) != 0,
    };

    /// <summary>Reads <see cref="ModerationColumns"/> starting at column 0.</summary>
    public static ModerationRecord ReadModeration(SqliteDataReader reader)
    {
        var blob = reader.GetFieldValue<byte[]>(8);
        var hashes = new InfoHash[blob.Length / Bytes20.Length];
        for (var i = 0; i < hashes.Length; i++)
        {
            hashes[i] = InfoHash.Read(blob.AsSpan(i * Bytes20.Length, Bytes20.Length));
        }

        return new ModerationRecord
        {
            Id = reader.GetInt64(0),
            Kind = (ModerationKind)reader.GetInt64(1),
            Target = new ModerationTarget((TargetKind)reader.GetInt64(2), reader.GetString(3)),
            Reason = reader.GetString(4),
            Source = (ModerationSource)reader.GetInt64(5),
            By = reader.GetString(6),
            At = Time(reader.GetInt64(7)),
            Hashes = hashes,
        };
    }

    public static InfoHash? HashOrNull(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : InfoHash.Read(reader.GetFieldValue<byte[]>(ordinal));

    public static string? StringOrNull(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
