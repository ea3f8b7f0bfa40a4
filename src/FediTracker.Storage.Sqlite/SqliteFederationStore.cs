using FediTracker.Core.FederationState;
using Microsoft.Data.Sqlite;

namespace FediTracker.Storage.Sqlite;

/// <summary>
/// Federation state in its own SQLite file (WAL, <c>synchronous=FULL</c>): followers, handled activity ids, pending
/// deletes, actors suspended on their origin's word, and the delivery queue. A separate file from the registry, so
/// each keeps its own schema version and neither's writes wait on the other's; nothing needs to be atomic across the
/// two, since every registry write is idempotent. One connection, one operation at a time: federation writes are
/// rare next to announces.
/// </summary>
public sealed class SqliteFederationStore : IFederationStore, IDisposable
{
    private const int SchemaVersion = 1;

    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SqliteConnection? _connection;
    private bool _disposed;

    public SqliteFederationStore(string path, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(time);
        FilePath = Path.GetFullPath(path);
        _time = time;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 5,
        }.ToString();
    }

    public string FilePath { get; }

    /// <summary>Opens and migrates the file now, so a bad path fails at start.</summary>
    public Task OpenAsync(CancellationToken cancellationToken) => RunAsync(static _ => 0, cancellationToken);

    public Task AddFollowerAsync(Follower follower, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(follower);
        return RunAsync(c => Execute(c, """
            INSERT INTO fed_followers (actor_id, inbox, kind, follow_id, since) VALUES ($a, $i, $k, $f, $s)
            ON CONFLICT(actor_id) DO UPDATE SET inbox = excluded.inbox, kind = excluded.kind, follow_id = excluded.follow_id;
            """, ("$a", follower.ActorId), ("$i", follower.Inbox), ("$k", (int)follower.Kind), ("$f", follower.FollowActivityId), ("$s", follower.Since.ToUnixTimeMilliseconds())), cancellationToken);
    }

    public Task<bool> RemoveFollowerAsync(string actorId, CancellationToken cancellationToken) =>
        RunAsync(c => Execute(c, "DELETE FROM fed_followers WHERE actor_id = $a;", ("$a", actorId)) > 0, cancellationToken);

    public Task<IReadOnlyList<Follower>> ListFollowersAsync(CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<Follower>>(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = "SELECT actor_id, inbox, kind, follow_id, since FROM fed_followers ORDER BY since, actor_id;";
            using var reader = command.ExecuteReader();
            var list = new List<Follower>();
            while (reader.Read())
            {
                list.Add(new Follower(reader.GetString(0), reader.GetString(1), (FollowerKind)reader.GetInt32(2), reader.GetString(3), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
            }

            return list;
        }, cancellationToken);

    public Task<bool> TryMarkSeenAsync(string activityId, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(activityId);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        return RunAsync(c => Execute(c, """
            INSERT INTO fed_seen (id, expires) VALUES ($id, $e)
            ON CONFLICT(id) DO UPDATE SET expires = excluded.expires WHERE fed_seen.expires <= $now;
            """, ("$id", activityId), ("$e", expiresAt.ToUnixTimeMilliseconds()), ("$now", now)) > 0, cancellationToken);
    }

    public Task ForgetSeenAsync(string activityId, CancellationToken cancellationToken) =>
        RunAsync(c => Execute(c, "DELETE FROM fed_seen WHERE id = $id;", ("$id", activityId)), cancellationToken);

    public Task<PendingAddOutcome> AddPendingTombstoneAsync(PendingTombstone tombstone, int perDomainQuota, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tombstone);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        return RunAsync(c =>
        {
            using var transaction = c.BeginTransaction(deferred: false);
            var exists = Scalar(c, "SELECT COUNT(*) FROM fed_pending WHERE object_uri = $o AND actor_uri = $a AND expires > $now;", ("$o", tombstone.ObjectUri), ("$a", tombstone.ActorUri), ("$now", now));
            if (exists > 0)
            {
                return PendingAddOutcome.Exists;
            }

            var count = Scalar(c, "SELECT COUNT(*) FROM fed_pending WHERE domain = $d AND expires > $now;", ("$d", tombstone.Domain), ("$now", now));
            if (count >= perDomainQuota)
            {
                return PendingAddOutcome.QuotaExceeded;
            }

            Execute(c, """
                INSERT INTO fed_pending (object_uri, actor_uri, domain, activity_id, expires) VALUES ($o, $a, $d, $i, $e)
                ON CONFLICT(object_uri, actor_uri) DO UPDATE SET domain = excluded.domain, activity_id = excluded.activity_id, expires = excluded.expires;
                """, ("$o", tombstone.ObjectUri), ("$a", tombstone.ActorUri), ("$d", tombstone.Domain), ("$i", tombstone.ActivityId), ("$e", tombstone.ExpiresAt.ToUnixTimeMilliseconds()));
            transaction.Commit();
            return PendingAddOutcome.Added;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<PendingTombstone>> GetPendingTombstonesAsync(string objectUri, DateTimeOffset now, CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<PendingTombstone>>(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = "SELECT object_uri, actor_uri, domain, activity_id, expires FROM fed_pending WHERE object_uri = $o AND expires > $now;";
            command.Parameters.AddWithValue("$o", objectUri);
            command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            using var reader = command.ExecuteReader();
            var list = new List<PendingTombstone>();
            while (reader.Read())
            {
                list.Add(new PendingTombstone(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
            }

            return list;
        }, cancellationToken);

    public Task RemovePendingTombstonesAsync(string objectUri, CancellationToken cancellationToken) =>
        RunAsync(c => Execute(c, "DELETE FROM fed_pending WHERE object_uri = $o;", ("$o", objectUri)), cancellationToken);

    public Task SetActorSuspendedAsync(string actorUri, bool suspended, CancellationToken cancellationToken) =>
        RunAsync(c => suspended
            ? Execute(c, "INSERT OR IGNORE INTO fed_suspended (actor_uri) VALUES ($a);", ("$a", actorUri))
            : Execute(c, "DELETE FROM fed_suspended WHERE actor_uri = $a;", ("$a", actorUri)), cancellationToken);

    public Task<bool> IsActorSuspendedAsync(string actorUri, CancellationToken cancellationToken) =>
        RunAsync(c => Scalar(c, "SELECT COUNT(*) FROM fed_suspended WHERE actor_uri = $a;", ("$a", actorUri)) > 0, cancellationToken);

    public Task EnqueueAsync(IReadOnlyList<OutboxDelivery> deliveries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        return RunAsync(c =>
        {
            using var transaction = c.BeginTransaction(deferred: false);
            foreach (var d in deliveries)
            {
                Execute(c, "INSERT INTO fed_outbox (inbox, body, attempts, due, last_error) VALUES ($i, $b, $n, $d, NULL);",
                    ("$i", d.Inbox), ("$b", d.Body), ("$n", d.Attempts), ("$d", d.Due.ToUnixTimeMilliseconds()));
            }

            transaction.Commit();
            return 0;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<OutboxDelivery>> ClaimDueAsync(DateTimeOffset now, int max, TimeSpan lease, CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<OutboxDelivery>>(c =>
        {
            using var transaction = c.BeginTransaction(deferred: false);
            var list = new List<OutboxDelivery>();
            using (var command = c.CreateCommand())
            {
                command.CommandText = "SELECT id, inbox, body, attempts, due, last_error FROM fed_outbox WHERE due <= $now ORDER BY due, id LIMIT $max;";
                command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
                command.Parameters.AddWithValue("$max", max);
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    list.Add(new OutboxDelivery(reader.GetInt64(0), reader.GetString(1), (byte[])reader.GetValue(2), reader.GetInt32(3), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)), reader.IsDBNull(5) ? null : reader.GetString(5)));
                }
            }

            foreach (var d in list)
            {
                Execute(c, "UPDATE fed_outbox SET due = $d WHERE id = $id;", ("$d", (now + lease).ToUnixTimeMilliseconds()), ("$id", d.Id));
            }

            transaction.Commit();
            return list;
        }, cancellationToken);

    public Task CompleteAsync(long id, CancellationToken cancellationToken) =>
        RunAsync(c => Execute(c, "DELETE FROM fed_outbox WHERE id = $id;", ("$id", id)), cancellationToken);

    public Task RescheduleAsync(long id, int attempts, DateTimeOffset due, string? lastError, CancellationToken cancellationToken) =>
        RunAsync(c => Execute(c, "UPDATE fed_outbox SET attempts = $n, due = $d, last_error = $e WHERE id = $id;",
            ("$n", attempts), ("$d", due.ToUnixTimeMilliseconds()), ("$e", (object?)lastError ?? DBNull.Value), ("$id", id)), cancellationToken);

    public Task<long> CountQueuedAsync(CancellationToken cancellationToken) =>
        RunAsync(c => Scalar(c, "SELECT COUNT(*) FROM fed_outbox;"), cancellationToken);

    public Task PurgeExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        RunAsync(c =>
        {
            var ms = now.ToUnixTimeMilliseconds();
            return Execute(c, "DELETE FROM fed_seen WHERE expires <= $now;", ("$now", ms)) + Execute(c, "DELETE FROM fed_pending WHERE expires <= $now;", ("$now", ms));
        }, cancellationToken);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _gate.Wait();
        _connection?.Dispose();
        _connection = null;
        _gate.Dispose();
    }

    private async Task<T> RunAsync<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return work(_connection ?? Open());
        }
        catch (SqliteException e) when (SqliteTorrentRegistry.IsUnavailable(e))
        {
            _connection?.Dispose();
            _connection = null;
            throw new FederationStoreUnavailableException($"The federation state {FilePath} cannot be used: {e.Message}", e);
        }
        finally
        {
            _gate.Release();
        }
    }

    private SqliteConnection Open()
    {
        var directory = Path.GetDirectoryName(FilePath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;");
            var version = Scalar(connection, "PRAGMA user_version;");
            if (version > SchemaVersion)
            {
                throw new InvalidOperationException($"The federation state {FilePath} was written by a newer FediTracker (schema {version}).");
            }

            if (version < 1)
            {
                using var transaction = connection.BeginTransaction(deferred: false);
                Execute(connection, """
                    CREATE TABLE IF NOT EXISTS fed_followers (actor_id TEXT PRIMARY KEY, inbox TEXT NOT NULL, kind INTEGER NOT NULL, follow_id TEXT NOT NULL, since INTEGER NOT NULL);
                    CREATE TABLE IF NOT EXISTS fed_seen (id TEXT PRIMARY KEY, expires INTEGER NOT NULL);
                    CREATE INDEX IF NOT EXISTS fed_seen_expires ON fed_seen (expires);
                    CREATE TABLE IF NOT EXISTS fed_pending (object_uri TEXT NOT NULL, actor_uri TEXT NOT NULL, domain TEXT NOT NULL, activity_id TEXT NOT NULL, expires INTEGER NOT NULL, PRIMARY KEY (object_uri, actor_uri));
                    CREATE INDEX IF NOT EXISTS fed_pending_domain ON fed_pending (domain, expires);
                    CREATE TABLE IF NOT EXISTS fed_suspended (actor_uri TEXT PRIMARY KEY);
                    CREATE TABLE IF NOT EXISTS fed_outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, inbox TEXT NOT NULL, body BLOB NOT NULL, attempts INTEGER NOT NULL, due INTEGER NOT NULL, last_error TEXT);
                    CREATE INDEX IF NOT EXISTS fed_outbox_due ON fed_outbox (due);
                    PRAGMA user_version = 1;
                    """);
                transaction.Commit();
            }

            _connection = connection;
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static int Execute(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command.ExecuteNonQuery();
    }

    private static long Scalar(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
