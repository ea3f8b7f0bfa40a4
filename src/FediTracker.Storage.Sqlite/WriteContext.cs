using FediTracker.Core.Registry;
using Microsoft.Data.Sqlite;

namespace FediTracker.Storage.Sqlite;

/// <summary>
/// One write: the writer connection inside an immediate transaction, the time it happens at, and the access feed's
/// version counter, read on first use and stored once at <see cref="Commit"/>.
/// </summary>
internal sealed class WriteContext
{
    private readonly SqliteConnection _connection;
    private readonly SqliteTransaction _transaction;
    private long _version = -1;
    private bool _versionTaken;

    public WriteContext(SqliteConnection connection, SqliteTransaction transaction, DateTimeOffset at)
    {
        _connection = connection;
        _transaction = transaction;
        At = DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds());
        Now = at.ToUnixTimeMilliseconds();
    }

    /// <summary>When the write happens, truncated to the milliseconds that are stored.</summary>
    public DateTimeOffset At { get; }

    /// <summary><see cref="At"/> in Unix milliseconds.</summary>
    public long Now { get; }

    public SqliteCommand Command(string sql, params ReadOnlySpan<(string Name, object? Value)> parameters) =>
        SqliteRows.Command(_connection, _transaction, sql, parameters);

    public int Execute(string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        using var command = Command(sql, parameters);
        return command.ExecuteNonQuery();
    }

    public long? ScalarInt64(string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        using var command = Command(sql, parameters);
        return command.ExecuteScalar() is long value ? value : null;
    }

    /// <summary>The next access-feed version (strictly above every one given before).</summary>
    public long NextVersion()
    {
        if (_version < 0)
        {
            _version = ScalarInt64("SELECT version FROM feed WHERE id = 1") ?? throw new InvalidOperationException("The feed counter row is missing.");
        }

        _versionTaken = true;
        return ++_version;
    }

    public void Audit(AuditAction action, string by, ModerationSource source, string subject, string? detail) =>
        Execute(
            "INSERT INTO audit (at, action, actor, source, subject, detail) VALUES ($at, $action, $by, $source, $subject, $detail)",
            ("$at", Now),
            ("$action", (long)action),
            ("$by", by),
            ("$source", (long)source),
            ("$subject", subject),
            ("$detail", detail));

    /// <summary>Stores the feed counter if it moved, then commits.</summary>
    public void Commit()
    {
        if (_versionTaken)
        {
            Execute("UPDATE feed SET version = $version WHERE id = 1", ("$version", _version));
        }

        _transaction.Commit();
    }
}
