using FediTracker.Core.Registry;
using FediTracker.Core.Tests.Registry;
using Microsoft.Extensions.Time.Testing;

namespace FediTracker.Storage.Sqlite.Tests;

/// <summary>The registry contract against <see cref="SqliteTorrentRegistry"/>, one fresh file per test in its own
/// temporary directory; a reopen closes the file and opens it again, as a restarted process does.</summary>
[TestFixture]
public sealed class SqliteTorrentRegistryTests : TorrentRegistryContract
{
    private DirectoryInfo? _directory;
    private FakeTimeProvider? _clock;
    private SqliteTorrentRegistry? _current;

    private string DatabasePath => Path.Combine(_directory!.FullName, "registry.db");

    protected override async Task<ITorrentRegistry> CreateRegistryAsync(FakeTimeProvider time)
    {
        _directory = Directory.CreateTempSubdirectory("feditracker-sqlite-");
        _clock = time;
        _current = await SqliteTorrentRegistry.OpenAsync(new SqliteRegistryOptions { Path = DatabasePath }, time, null, CancellationToken.None);
        return _current;
    }

    protected override async Task<ITorrentRegistry> ReopenRegistryAsync()
    {
        if (_current is not null)
        {
            await _current.DisposeAsync();
            _current = null;
        }

        _current = await SqliteTorrentRegistry.OpenAsync(new SqliteRegistryOptions { Path = DatabasePath }, _clock!, null, CancellationToken.None);
        return _current;
    }

    protected override async ValueTask DestroyRegistryAsync(ITorrentRegistry? registry)
    {
        await base.DestroyRegistryAsync(registry);
        if (_current is not null)
        {
            await _current.DisposeAsync();
            _current = null;
        }

        _directory?.Delete(recursive: true);
        _directory = null;
    }

    [Test]
    public void Registry_file_is_in_the_fixtures_temporary_directory()
    {
        ((SqliteTorrentRegistry)Registry).FilePath.Should().Be(DatabasePath);
        File.Exists(DatabasePath).Should().BeTrue();
    }
}
