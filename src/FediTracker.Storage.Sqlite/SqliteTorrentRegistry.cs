using System.Collections.Concurrent;
using FediTracker.Core.Registry;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FediTracker.Storage.Sqlite;

/// <summary>
/// The single-node registry: one SQLite file in WAL mode with <c>synchronous=FULL</c>, so a write is on disk when its
/// task completes. Behaviour is the contract of <see cref="ITorrentRegistry"/> (Registry/SEMANTICS.md in Core).
/// <para>
/// One writer at a time: every write takes a gate, then runs on the one write connection inside a
/// <c>BEGIN IMMEDIATE</c> transaction together with its audit entry and feed-version bump, and commits or rolls back
/// whole. Reads run on their own connections (kept in a small idle pool) and see the last committed state, never
/// waiting for the writer. The file's write lock also keeps out a second process, for up to
/// <see cref="SqliteRegistryOptions.BusyTimeout"/>.
/// </para>
/// <para>
/// Faults: a file that cannot be opened, read or written (locked too long, I/O error, disk full, read-only, damaged,
/// not a database) surfaces as <see cref="RegistryUnavailableException"/>, and a failed write has changed nothing.
/// The next call tries again on a fresh connection.
/// </para>
/// <para>
/// Cancellation: a token cancels the wait for the write gate; a write that has begun runs to its commit or rollback.
/// </para>
/// </summary>
public sealed partial class SqliteTorrentRegistry : ITorrentRegistry, IAsyncDisposable, IDisposable
{
    /// <summary>Largest .torrent file kept (SEMANTICS.md: up to 16 MiB).</summary>
    public const int MaxMetainfoLength = 16 * 1024 * 1024;

    private const int MaxPageSize = 500;
    private const int MaxIdleReaders = 4;

    // Primary result codes (https://sqlite.org/rescode.html) that mean "the file cannot be used now", not "bug".
    private const int SqlitePerm = 3;
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteNoMem = 7;
    private const int SqliteReadOnly = 8;
    private const int SqliteIOErr = 10;
    private const int SqliteCorrupt = 11;
    private const int SqliteFull = 13;
    private const int SqliteCantOpen = 14;
    private const int SqliteProtocol = 15;
    private const int SqliteNotADb = 26;

    private readonly string _path;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _writerConnectionString;
    private readonly string _readerConnectionString;
    private readonly int _busyTimeoutMilliseconds;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly ConcurrentBag<SqliteConnection> _idleReaders = [];
    private SqliteConnection? _writer;
    private volatile bool _ready;
    private volatile bool _disposed;

    /// <summary>
    /// Makes a registry over <see cref="SqliteRegistryOptions.Path"/> without touching the file; the first call opens
    /// and migrates it. <see cref="OpenAsync"/> does that at once, so a bad path fails at start.
    /// </summary>
    /// <param name="options">The file and the busy timeout.</param>
    /// <param name="time">The clock every record is stamped with (stored as Unix milliseconds).</param>
    /// <param name="logger">Where opening, migration and faults are logged.</param>
    public SqliteTorrentRegistry(SqliteRegistryOptions options, TimeProvider time, ILogger<SqliteTorrentRegistry>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Path, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BusyTimeout, TimeSpan.FromMilliseconds(1), nameof(options));

        _path = Path.GetFullPath(options.Path);
        _time = time;
        _logger = logger ?? NullLogger<SqliteTorrentRegistry>.Instance;
        _busyTimeoutMilliseconds = (int)Math.Min(int.MaxValue, options.BusyTimeout.TotalMilliseconds);

        // Microsoft.Data.Sqlite retries a busy statement until its command timeout (whole seconds) on top of SQLite's
        // own busy handler; keep both near the configured wait.
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = _path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = (int)Math.Max(1, Math.Ceiling(options.BusyTimeout.TotalSeconds)),
        };
        _writerConnectionString = builder.ToString();
        builder.Mode = SqliteOpenMode.ReadWrite;
        _readerConnectionString = builder.ToString();
    }

    /// <summary>The database file's full path.</summary>
    public string FilePath => _path;

    /// <summary>Opens (creating when missing) and migrates the registry file, then returns the registry.</summary>
    /// <exception cref="RegistryUnavailableException">The file or its directory cannot be created, opened or written,
    /// or it is not a SQLite database.</exception>
    /// <exception cref="InvalidOperationException">The file was written by a newer FediTracker.</exception>
    public static async Task<SqliteTorrentRegistry> OpenAsync(
        SqliteRegistryOptions options,
        TimeProvider time,
        ILogger<SqliteTorrentRegistry>? logger,
        CancellationToken cancellationToken)
    {
        var registry = new SqliteTorrentRegistry(options, time, logger);
        try
        {
            await registry.EnsureReadyAsync(cancellationToken);
            return registry;
        }
        catch
        {
            await registry.DisposeAsync();
            throw;
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _writeGate.Wait();
        Close();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _writeGate.WaitAsync();
        Close();
    }

    // Called with the write gate held, once: no write is running and none can start.
    private void Close()
    {
        _writer?.Dispose();
        _writer = null;
        while (_idleReaders.TryTake(out var reader))
        {
            reader.Dispose();
        }

        _writeGate.Dispose();
    }

    // ---------------------------------------------------------------- plumbing

    /// <summary>Opens the writer and migrates the schema the first time; cheap afterwards.</summary>
    private async Task EnsureReadyAsync(CancellationToken cancellationToken)
    {
        if (_ready)
        {
            return;
        }

        await UnderWriteGateAsync("open", static _ => 0, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="work"/> as one write: gate, writer connection, immediate transaction, commit. Any failure
    /// rolls the whole write back.
    /// </summary>
    private Task<T> WriteAsync<T>(string operation, Func<WriteContext, T> work, CancellationToken cancellationToken) =>
        UnderWriteGateAsync(operation, connection =>
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            var context = new WriteContext(connection, transaction, _time.GetUtcNow());
            var result = work(context);
            context.Commit();
            return result;
        }, cancellationToken);

    /// <summary>Runs <paramref name="work"/> on the writer connection (opened and migrated when needed), alone.</summary>
    private async Task<T> UnderWriteGateAsync<T>(string operation, Func<SqliteConnection, T> work, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return work(_writer ?? OpenWriter());
        }
        catch (SqliteException exception) when (IsUnavailable(exception))
        {
            // The transaction was rolled back when it was disposed (or by SQLite itself); start on a fresh connection
            // next time in case the connection is what failed.
            DropWriter();
            throw Unavailable(operation, exception);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            DropWriter();
            throw Unavailable(operation, exception);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Runs <paramref name="work"/> on a reader connection, which sees the last commit.</summary>
    private async Task<T> ReadAsync<T>(string operation, Func<SqliteConnection, T> work, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureReadyAsync(cancellationToken);
        SqliteConnection? connection = null;
        var healthy = false;
        try
        {
            connection = RentReader();
            var result = work(connection);
            healthy = true;
            return result;
        }
        catch (SqliteException exception) when (IsUnavailable(exception))
        {
            throw Unavailable(operation, exception);
        }
        finally
        {
            if (connection is not null)
            {
                if (healthy)
                {
                    ReturnReader(connection);
                }
                else
                {
                    connection.Dispose();
                }
            }
        }
    }

    /// <summary>A pragma's value as the write connection sees it (for tests and diagnostics).</summary>
    internal Task<object?> ReadWriterPragmaAsync(string pragma, CancellationToken cancellationToken)
    {
        if (pragma.Length == 0 || !pragma.All(c => char.IsAsciiLetterLower(c) || c == '_'))
        {
            throw new ArgumentException("A pragma name is lowercase letters and underscores.", nameof(pragma));
        }

        return UnderWriteGateAsync("inspect", connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA {pragma};";
            return command.ExecuteScalar();
        }, cancellationToken);
    }

    private SqliteConnection OpenWriter()
    {
        var directory = Path.GetDirectoryName(_path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var connection = new SqliteConnection(_writerConnectionString);
        try
        {
            connection.Open();
            using (var command = connection.CreateCommand())
            {
                command.CommandText = "PRAGMA journal_mode = WAL;";
                var mode = command.ExecuteScalar() as string;
                if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                {
                    throw new RegistryUnavailableException($"The registry {_path} cannot use write-ahead logging (journal mode is {mode}); put it on a local file system.");
                }
            }

            Configure(connection, queryOnly: false);
            if (!_ready)
            {
                var found = SqliteSchema.Migrate(connection, _path);
                if (found != SqliteSchema.CurrentVersion)
                {
                    SqliteRegistryLog.Migrated(_logger, _path, found, SqliteSchema.CurrentVersion);
                }

                SqliteRegistryLog.Opened(_logger, _path, SqliteSchema.CurrentVersion);
                _ready = true;
            }

            _writer = connection;
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private void DropWriter()
    {
        try
        {
            _writer?.Dispose();
        }
        catch (SqliteException)
        {
            // Closing a connection whose file has failed may fail too; it is gone either way.
        }

        _writer = null;
    }

    private SqliteConnection RentReader()
    {
        if (_idleReaders.TryTake(out var idle))
        {
            return idle;
        }

        var connection = new SqliteConnection(_readerConnectionString);
        try
        {
            connection.Open();
            Configure(connection, queryOnly: true);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private void ReturnReader(SqliteConnection connection)
    {
        if (_disposed || _idleReaders.Count >= MaxIdleReaders)
        {
            connection.Dispose();
            return;
        }

        _idleReaders.Add(connection);

        // A dispose that ran meanwhile has drained the bag already; do not leave this one behind.
        if (_disposed && _idleReaders.TryTake(out var late))
        {
            late.Dispose();
        }
    }

    private void Configure(SqliteConnection connection, bool queryOnly)
    {
        using var command = connection.CreateCommand();
        command.CommandText =
            $"PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {_busyTimeoutMilliseconds}; PRAGMA query_only = {(queryOnly ? "ON" : "OFF")};";
        command.ExecuteNonQuery();
    }

    internal static bool IsUnavailable(SqliteException exception) => exception.SqliteErrorCode is
        SqlitePerm or SqliteBusy or SqliteLocked or SqliteNoMem or SqliteReadOnly or SqliteIOErr or SqliteCorrupt or
        SqliteFull or SqliteCantOpen or SqliteProtocol or SqliteNotADb;

    private RegistryUnavailableException Unavailable(string operation, Exception exception)
    {
        SqliteRegistryLog.Unavailable(_logger, _path, operation, exception);
        var why = exception is SqliteException sqlite
            ? sqlite.SqliteErrorCode switch
            {
                SqliteBusy or SqliteLocked => "it is locked by another process",
                SqliteFull => "the disk is full",
                SqliteReadOnly or SqlitePerm => "it is read-only",
                SqliteCantOpen => "it cannot be opened",
                SqliteCorrupt or SqliteNotADb => "it is damaged or not a SQLite database",
                _ => "of an I/O error",
            }
            : "its directory cannot be created or written";
        return new RegistryUnavailableException($"The registry {_path} cannot be used ({operation}) because {why}: {exception.Message}", exception);
    }

    private static int ClampPage(int limit) => Math.Clamp(limit, 1, MaxPageSize);
}
