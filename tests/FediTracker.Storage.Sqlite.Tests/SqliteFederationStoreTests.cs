using FediTracker.Core.FederationState;
using FediTracker.Core.Tests.FederationState;
using Microsoft.Extensions.Time.Testing;

namespace FediTracker.Storage.Sqlite.Tests;

/// <summary>The federation store contract against <see cref="SqliteFederationStore"/>, one fresh file per test in its
/// own temporary directory; the second store is another instance over the same file, with its own connection, as a
/// second process would have.</summary>
[TestFixture]
public sealed class SqliteFederationStoreTests : FederationStoreContract
{
    private readonly List<SqliteFederationStore> _opened = [];
    private DirectoryInfo? _directory;
    private FakeTimeProvider? _clock;

    private string DatabasePath => Path.Combine(_directory!.FullName, "federation.db");

    protected override async Task<IFederationStore> CreateStoreAsync(FakeTimeProvider time)
    {
        _directory = Directory.CreateTempSubdirectory("feditracker-fed-");
        _clock = time;
        return await OpenAsync();
    }

    protected override Task<IFederationStore> OpenSecondStoreAsync() => OpenAsync();

    protected override async ValueTask DestroyStoreAsync(IFederationStore? store)
    {
        await base.DestroyStoreAsync(store);
        foreach (var opened in _opened)
        {
            opened.Dispose();
        }

        _opened.Clear();
        _directory?.Delete(recursive: true);
        _directory = null;
    }

    [Test]
    public void Store_file_is_in_the_fixtures_temporary_directory()
    {
        ((SqliteFederationStore)Store).FilePath.Should().Be(DatabasePath);
        File.Exists(DatabasePath).Should().BeTrue();
    }

    private async Task<IFederationStore> OpenAsync()
    {
        var store = new SqliteFederationStore(DatabasePath, _clock!);
        _opened.Add(store);
        await store.OpenAsync(CancellationToken.None);
        return store;
    }
}
