using Microsoft.Data.Sqlite;

namespace FediTracker.Storage.Sqlite;

/// <summary>
/// The registry's tables, versioned with <c>PRAGMA user_version</c>: <see cref="Migrations"/>[i] takes a file from
/// version i to i + 1, inside the same transaction that sets the new version, so a migration is all or nothing.
/// Never edit a migration that has shipped; append one.
/// </summary>
internal static class SqliteSchema
{
    /// <summary>The version this build writes and understands.</summary>
    public static long CurrentVersion => Migrations.Length;

    private static readonly string[] Migrations =
    [
        // 0 → 1: the first schema.
        """
        -- The access feed's version counter (one row). Every hash or passkey row change takes the next value.
        CREATE TABLE feed (
            id      INTEGER PRIMARY KEY CHECK (id = 1),
            version INTEGER NOT NULL
        );
        INSERT INTO feed (id, version) VALUES (1, 0);

        -- Append-only. hashes: the 20-byte hashes the moderation changed, concatenated.
        CREATE TABLE moderations (
            id           INTEGER PRIMARY KEY AUTOINCREMENT,
            kind         INTEGER NOT NULL,
            target_kind  INTEGER NOT NULL,
            target_value TEXT    NOT NULL,
            reason       TEXT    NOT NULL,
            source       INTEGER NOT NULL,
            moderated_by TEXT    NOT NULL,
            at           INTEGER NOT NULL,
            hashes       BLOB    NOT NULL CHECK (length(hashes) % 20 = 0)
        );
        CREATE INDEX moderations_target ON moderations (target_kind, target_value);

        CREATE TABLE torrents (
            id                   INTEGER PRIMARY KEY AUTOINCREMENT,
            v1                   BLOB UNIQUE CHECK (v1 IS NULL OR length(v1) = 20),
            v2                   BLOB UNIQUE CHECK (v2 IS NULL OR length(v2) = 20),
            name                 TEXT,
            object_uri           TEXT,
            media_url            TEXT,
            actor_uri            TEXT,
            length               INTEGER,
            created_at           INTEGER NOT NULL,
            created_by           TEXT    NOT NULL,
            status               INTEGER NOT NULL,
            status_moderation_id INTEGER REFERENCES moderations (id),
            status_reason        TEXT,
            status_changed_at    INTEGER,
            has_metainfo         INTEGER NOT NULL DEFAULT 0,
            CHECK (v1 IS NOT NULL OR v2 IS NOT NULL),
            CHECK (v1 IS NULL OR v2 IS NULL OR v1 <> v2)
        );
        CREATE INDEX torrents_object ON torrents (object_uri);
        CREATE INDEX torrents_actor ON torrents (actor_uri);
        CREATE INDEX torrents_media ON torrents (media_url);
        CREATE INDEX torrents_status ON torrents (status);

        -- Kept apart so lists and lookups never page through .torrent files.
        CREATE TABLE metainfo (
            torrent_id INTEGER PRIMARY KEY REFERENCES torrents (id),
            data       BLOB NOT NULL
        );

        -- The access table: one row per hash ever registered or blocked (state 0 = forgotten, kept for the feed).
        CREATE TABLE hash_states (
            hash       BLOB PRIMARY KEY CHECK (length(hash) = 20),
            state      INTEGER NOT NULL,
            version    INTEGER NOT NULL UNIQUE,
            torrent_id INTEGER REFERENCES torrents (id)
        ) WITHOUT ROWID;

        CREATE TABLE target_blocks (
            target_kind   INTEGER NOT NULL,
            target_value  TEXT    NOT NULL,
            state         INTEGER NOT NULL,
            moderation_id INTEGER NOT NULL REFERENCES moderations (id),
            PRIMARY KEY (target_kind, target_value)
        ) WITHOUT ROWID;

        CREATE TABLE audit (
            id       INTEGER PRIMARY KEY AUTOINCREMENT,
            at       INTEGER NOT NULL,
            action   INTEGER NOT NULL,
            actor    TEXT    NOT NULL,
            source   INTEGER NOT NULL,
            subject  TEXT    NOT NULL,
            detail   TEXT
        );

        -- Only SHA-256 digests; a removed passkey stays (valid = 0) so the feed can say so and it never comes back.
        CREATE TABLE passkeys (
            id         INTEGER PRIMARY KEY AUTOINCREMENT,
            digest     BLOB    NOT NULL UNIQUE CHECK (length(digest) = 32),
            label      TEXT    NOT NULL,
            created_at INTEGER NOT NULL,
            created_by TEXT    NOT NULL,
            valid      INTEGER NOT NULL,
            version    INTEGER NOT NULL UNIQUE,
            removed_at INTEGER,
            removed_by TEXT
        );
        """,
    ];

    /// <summary>
    /// Brings the file to <see cref="CurrentVersion"/> in one immediate transaction. Returns the version found.
    /// </summary>
    /// <exception cref="InvalidOperationException">The file was written by a newer build.</exception>
    public static long Migrate(SqliteConnection connection, string path)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        long found;
        using (var read = connection.CreateCommand())
        {
            read.Transaction = transaction;
            read.CommandText = "PRAGMA user_version;";
            found = Convert.ToInt64(read.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }

        if (found > CurrentVersion)
        {
            throw new InvalidOperationException(
                $"The registry {path} has schema version {found}, newer than this build understands ({CurrentVersion}). Run a newer FediTracker or restore a backup.");
        }

        for (var version = found; version < CurrentVersion; version++)
        {
            using var migrate = connection.CreateCommand();
            migrate.Transaction = transaction;
            migrate.CommandText = Migrations[version] + $"\nPRAGMA user_version = {version + 1};";
            migrate.ExecuteNonQuery();
        }

        transaction.Commit();
        return found;
    }
}
