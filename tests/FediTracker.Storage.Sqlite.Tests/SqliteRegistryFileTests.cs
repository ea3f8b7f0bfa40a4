using FediTracker.Core.Registry;
using FediTracker.Core.Tests.Swarms;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace FediTracker.Storage.Sqlite.Tests;

/// <summary>What only the SQLite registry has: the file's settings and layout, its schema version, and how it fails
/// on a file it cannot use. Each test has its own temporary directory.</summary>
[TestFixture]
public sealed class SqliteRegistryFileTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private DirectoryInfo? _directory;
    private FakeTimeProvider? _time;

    private string DatabasePath => Path.Combine(_directory!.FullName, "registry.db");

    private FakeTimeProvider Time => _time!;

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Directory.CreateTempSubdirectory("feditracker-sqlite-");
        _time = new FakeTimeProvider(Start);
    }

    [TearDown]
    public void DeleteDirectory()
    {
        _directory?.Delete(recursive: true);
        _directory = null;
    }

    [Test]
    public async Task Writer_uses_wal_full_synchronous_foreign_keys_and_the_busy_timeout()
    {
        await using var registry = await OpenAsync(new SqliteRegistryOptions { Path = DatabasePath, BusyTimeout = TimeSpan.FromMilliseconds(2500) });

        (await registry.ReadWriterPragmaAsync("journal_mode", CancellationToken.None)).Should().Be("wal");
        (await registry.ReadWriterPragmaAsync("synchronous", CancellationToken.None)).Should().Be(2L, "2 is FULL");
        (await registry.ReadWriterPragmaAsync("foreign_keys", CancellationToken.None)).Should().Be(1L);
        (await registry.ReadWriterPragmaAsync("busy_timeout", CancellationToken.None)).Should().Be(2500L);
        Scalar("PRAGMA journal_mode;").Should().Be("wal", "WAL mode is a property of the file, seen by any connection");
    }

    [Test]
    public async Task New_file_gets_the_current_schema_version_and_every_table_and_index()
    {
        await using (await OpenAsync())
        {
        }

        Scalar("PRAGMA user_version;").Should().Be(SqliteSchema.CurrentVersion);
        SqliteSchema.CurrentVersion.Should().Be(1);
        var tables = Column("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
        tables.Should().Equal("audit", "feed", "hash_states", "metainfo", "moderations", "passkeys", "target_blocks", "torrents");
        var indexes = Column("SELECT name FROM sqlite_schema WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name");
        indexes.Should().Contain(["torrents_object", "torrents_actor", "torrents_media", "torrents_status", "moderations_target"]);
        var autoIndexes = Column("SELECT tbl_name FROM sqlite_schema WHERE type = 'index' AND name LIKE 'sqlite_autoindex_%'");
        autoIndexes.Should().Contain(["torrents", "passkeys", "hash_states"], "unique v1/v2, digest and feed version columns are indexed");
    }

    [Test]
    public async Task Reopening_an_up_to_date_file_keeps_its_data_and_version()
    {
        var hash = TestPeers.NewInfoHash();
        await using (var registry = await OpenAsync())
        {
            await registry.RegisterAsync(new TorrentRegistration { V1 = hash }, "admin", ModerationSource.Admin, CancellationToken.None);
        }

        await using var reopened = await OpenAsync();

        (await reopened.FindAsync(hash, CancellationToken.None)).Should().NotBeNull();
        Scalar("PRAGMA user_version;").Should().Be(SqliteSchema.CurrentVersion);
    }

    [Test]
    public async Task File_from_a_newer_build_is_refused_at_open_and_left_alone()
    {
        await using (await OpenAsync())
        {
        }

        Execute("PRAGMA user_version = 99;");

        var act = () => OpenAsync();

        (await act.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*schema version 99*newer*");
        Scalar("PRAGMA user_version;").Should().Be(99L);
    }

    [Test]
    public async Task Hashes_are_20_byte_blobs_and_times_unix_milliseconds()
    {
        Time.Advance(TimeSpan.FromMilliseconds(1234));
        var hash = TestPeers.NewInfoHash();
        await using (var registry = await OpenAsync())
        {
            await registry.RegisterAsync(new TorrentRegistration { V1 = hash }, "admin", ModerationSource.Admin, CancellationToken.None);
        }

        Scalar("SELECT typeof(v1) || ':' || length(v1) FROM torrents").Should().Be("blob:20");
        Scalar("SELECT hex(hash) FROM hash_states").Should().Be(hash.ToString().ToUpperInvariant());
        Scalar("SELECT created_at FROM torrents").Should().Be(Start.AddMilliseconds(1234).ToUnixTimeMilliseconds());
        Scalar("SELECT at FROM audit").Should().Be(Start.AddMilliseconds(1234).ToUnixTimeMilliseconds());
    }

    [Test]
    public async Task Damaged_file_is_reported_as_unavailable_at_open()
    {
        var garbage = new byte[8192];
        new Random(42).NextBytes(garbage);
        await File.WriteAllBytesAsync(DatabasePath, garbage);

        var act = () => OpenAsync();

        (await act.Should().ThrowAsync<RegistryUnavailableException>()).WithMessage($"*{DatabasePath}*damaged or not a SQLite database*");
    }

    [Test]
    public async Task Path_under_a_regular_file_is_reported_as_unavailable_at_open()
    {
        var file = Path.Combine(_directory!.FullName, "not-a-directory");
        await File.WriteAllTextAsync(file, "x");

        var act = () => OpenAsync(new SqliteRegistryOptions { Path = Path.Combine(file, "registry.db") });

        (await act.Should().ThrowAsync<RegistryUnavailableException>()).WithMessage("*not-a-directory*");
    }

    [Test]
    public async Task Missing_directories_are_created()
    {
        var path = Path.Combine(_directory!.FullName, "data", "nested", "registry.db");

        await using var registry = await OpenAsync(new SqliteRegistryOptions { Path = path });

        File.Exists(path).Should().BeTrue();
    }

    [Test]
    public async Task Constructor_touches_nothing_and_the_first_call_opens_the_file()
    {
        await using var registry = new SqliteTorrentRegistry(new SqliteRegistryOptions { Path = DatabasePath }, Time);
        File.Exists(DatabasePath).Should().BeFalse();

        (await registry.GetStateAsync(TestPeers.NewInfoHash(), CancellationToken.None)).Should().Be(AccessState.Unknown);

        File.Exists(DatabasePath).Should().BeTrue();
        Scalar("PRAGMA user_version;").Should().Be(SqliteSchema.CurrentVersion);
    }

    [Test]
    public async Task Write_locked_by_another_process_too_long_is_unavailable_and_changes_nothing()
    {
        await using var registry = await OpenAsync(new SqliteRegistryOptions { Path = DatabasePath, BusyTimeout = TimeSpan.FromMilliseconds(50) });
        var committed = TestPeers.NewInfoHash();
        await registry.RegisterAsync(new TorrentRegistration { V1 = committed }, "admin", ModerationSource.Admin, CancellationToken.None);
        var hash = TestPeers.NewInfoHash();

        using (var other = OpenRaw())
        {
            using var transaction = other.BeginTransaction(deferred: false);
            var act = () => registry.RegisterAsync(new TorrentRegistration { V1 = hash }, "admin", ModerationSource.Admin, CancellationToken.None);

            (await act.Should().ThrowAsync<RegistryUnavailableException>()).WithMessage("*locked*");
            (await registry.FindAsync(committed, CancellationToken.None)).Should().NotBeNull("readers are not blocked by a writer in WAL mode");
            transaction.Rollback();
        }

        (await registry.FindAsync(hash, CancellationToken.None)).Should().BeNull("the refused write changed nothing");
        (await registry.ReadAccessChangesAsync(0, 10, CancellationToken.None)).Changes.Should().ContainSingle();
        var retry = await registry.RegisterAsync(new TorrentRegistration { V1 = hash }, "admin", ModerationSource.Admin, CancellationToken.None);
        retry.Outcome.Should().Be(RegisterOutcome.Created, "the registry recovers once the lock is gone");
    }

    [Test]
    public async Task Write_that_fails_half_way_leaves_no_trace()
    {
        await using var registry = await OpenAsync();
        var hash = TestPeers.NewInfoHash();
        Execute("CREATE TRIGGER refuse_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'audit refused'); END;");

        var act = () => registry.RegisterAsync(new TorrentRegistration { V1 = hash, ObjectUri = "https://social.example/o/1" }, "admin", ModerationSource.Admin, CancellationToken.None);

        await act.Should().ThrowAsync<SqliteException>().WithMessage("*audit refused*");
        (await registry.FindAsync(hash, CancellationToken.None)).Should().BeNull("the torrent row went with the refused audit entry");
        (await registry.GetStateAsync(hash, CancellationToken.None)).Should().Be(AccessState.Unknown);
        (await registry.ReadAccessChangesAsync(0, 10, CancellationToken.None)).Changes.Should().BeEmpty();
        Scalar("SELECT version FROM feed").Should().Be(0L);
        Execute("DROP TRIGGER refuse_audit;");
        (await registry.RegisterAsync(new TorrentRegistration { V1 = hash }, "admin", ModerationSource.Admin, CancellationToken.None)).Torrent!.Id
            .Should().Be(1, "the failed insert used no id");
    }

    [Test]
    public async Task Disposed_registry_refuses_calls()
    {
        var registry = await OpenAsync();
        await registry.DisposeAsync();
        registry.Dispose();

        var act = () => registry.GetStateAsync(TestPeers.NewInfoHash(), CancellationToken.None);

        await act.Should().ThrowAsync<ObjectDisposedException>();
    }

    [Test]
    public void Options_validator_refuses_an_empty_path_and_a_zero_busy_timeout()
    {
        var validator = new SqliteRegistryOptionsValidator();

        validator.Validate(null, new SqliteRegistryOptions()).Succeeded.Should().BeTrue();
        var result = validator.Validate(null, new SqliteRegistryOptions { Path = "", BusyTimeout = TimeSpan.Zero });
        result.Failed.Should().BeTrue();
        result.Failures.Should().HaveCount(2);
    }

    [Test]
    public void Constructor_refuses_missing_arguments()
    {
        FluentActions.Invoking(() => new SqliteTorrentRegistry(null!, Time)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => new SqliteTorrentRegistry(new SqliteRegistryOptions(), null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => new SqliteTorrentRegistry(new SqliteRegistryOptions { Path = " " }, Time)).Should().Throw<ArgumentException>();
    }

    private Task<SqliteTorrentRegistry> OpenAsync(SqliteRegistryOptions? options = null) =>
        SqliteTorrentRegistry.OpenAsync(options ?? new SqliteRegistryOptions { Path = DatabasePath }, Time, null, CancellationToken.None);

    private SqliteConnection OpenRaw()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private object? Scalar(string sql)
    {
        using var connection = OpenRaw();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private void Execute(string sql)
    {
        using var connection = OpenRaw();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private List<string> Column(string sql)
    {
        using var connection = OpenRaw();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }
}
