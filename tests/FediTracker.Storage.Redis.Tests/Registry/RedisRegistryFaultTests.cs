using FediTracker.Core.Registry;
using FediTracker.Storage.Redis.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using static FediTracker.Core.Tests.Swarms.TestPeers;

namespace FediTracker.Storage.Redis.Tests.Registry;

/// <summary>
/// Durability across a redis-server crash with the AOF settings the registry needs (<c>appendonly yes</c>,
/// <c>appendfsync always</c>), and Redis being unreachable: every call fails with
/// <see cref="RegistryUnavailableException"/>, within the operation timeout, having changed nothing.
/// </summary>
[TestFixture]
public sealed class RedisRegistryFaultTests
{
    private static readonly TimeSpan FailureBound = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(30);

    [Test]
    public async Task Every_completed_write_survives_a_redis_crash_with_appendfsync_always_and_a_failed_one_changed_nothing()
    {
        await using var server = await RedisServer.StartNewAsync("--appendonly", "yes", "--appendfsync", "always");
        var options = new RedisStoreOptions { Configuration = server.EndPoint };
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var v1 = NewInfoHash();
        RedisTorrentRegistry registry;
        TorrentRecord torrent;
        AccessChangeBatch feed;
        Page<AuditEntry> audit;
        Page<ModerationRecord> moderations;
        await using (var multiplexer = await RedisConnectionFactory.ConnectAsync(options))
        {
            registry = new RedisTorrentRegistry(multiplexer, options, time);
            torrent = (await registry.RegisterAsync(new TorrentRegistration { V1 = v1, V2 = NewInfoHash(), ObjectUri = "https://example.social/notes/1", Metainfo = new byte[] { 9, 8, 7 } }, "admin", ModerationSource.Admin, CancellationToken.None)).Torrent!;
            await registry.ModerateAsync(new ModerationRequest(ModerationKind.Suspend, ModerationTarget.ForHash(v1), "check", ModerationSource.Admin, "mod"), CancellationToken.None);
            await registry.AddPasskeyAsync(new byte[32], "bob", "admin", CancellationToken.None);
            feed = await registry.ReadAccessChangesAsync(0, 100, CancellationToken.None);
            audit = await registry.ReadAuditAsync(0, 100, CancellationToken.None);
            moderations = await registry.ListModerationsAsync(0, 100, CancellationToken.None);

            // Killed, as a crash would: nothing is flushed on the way down.
            await server.StopAsync();

            var revoke = () => registry.ModerateAsync(new ModerationRequest(ModerationKind.Revoke, ModerationTarget.ForHash(v1), "down", ModerationSource.Admin, "mod"), CancellationToken.None).WaitAsync(FailureBound);
            (await revoke.Should().ThrowAsync<RegistryUnavailableException>()).Which.InnerException.Should().Match(e => e is RedisException || e is RedisTimeoutException || e is RedisCommandException);
        }

        await server.StartAsync();
        await using var reopened = await RedisConnectionFactory.ConnectAsync(options);
        registry = new RedisTorrentRegistry(reopened, options, time);

        var found = await PollUntilAvailableAsync(() => registry.FindAsync(v1, CancellationToken.None));
        found.Should().BeEquivalentTo(torrent with { Status = AccessState.Suspended, StatusModerationId = 1, StatusReason = "check", StatusChangedAt = time.GetUtcNow() });
        (await registry.GetMetainfoAsync(v1, CancellationToken.None)).Should().Equal(9, 8, 7);
        (await registry.ReadAccessChangesAsync(0, 100, CancellationToken.None)).Should().BeEquivalentTo(feed, o => o.WithStrictOrdering());
        (await registry.ReadAuditAsync(0, 100, CancellationToken.None)).Should().BeEquivalentTo(audit, o => o.WithStrictOrdering());
        (await registry.ListModerationsAsync(0, 100, CancellationToken.None)).Should().BeEquivalentTo(moderations, o => o.WithStrictOrdering());
        (await registry.ListPasskeysAsync(CancellationToken.None)).Should().ContainSingle();
        (await registry.GetStateAsync(v1, CancellationToken.None)).Should().Be(AccessState.Suspended, "the revocation attempted while Redis was down was not applied");

        // Counters survived too: the next ids and versions follow on.
        var next = await registry.RegisterAsync(new TorrentRegistration { V1 = NewInfoHash() }, "admin", ModerationSource.Admin, CancellationToken.None);
        next.Torrent!.Id.Should().Be(2);
        (await registry.ReadAccessChangesAsync(feed.LastVersion, 100, CancellationToken.None)).Changes.Should().ContainSingle().Which.Version.Should().Be(feed.LastVersion + 1);
    }

    [Test]
    public async Task Every_call_to_an_unreachable_redis_fails_as_unavailable_and_the_same_registry_works_once_redis_is_up()
    {
        var port = FreePort.Next();
        var options = new RedisStoreOptions { Configuration = $"127.0.0.1:{port}" };
        await using var multiplexer = await RedisConnectionFactory.ConnectAsync(options).WaitAsync(FailureBound);
        var registry = new RedisTorrentRegistry(multiplexer, options, TimeProvider.System);
        var hash = NewInfoHash();
        var none = CancellationToken.None;

        await ExpectUnavailableAsync(() => registry.RegisterAsync(new TorrentRegistration { V1 = hash }, "admin", ModerationSource.Admin, none));
        await ExpectUnavailableAsync(() => registry.FindAsync(hash, none));
        await ExpectUnavailableAsync(() => registry.GetStateAsync(hash, none));
        await ExpectUnavailableAsync(() => registry.ListAsync(new TorrentQuery(), none));
        await ExpectUnavailableAsync(() => registry.GetMetainfoAsync(hash, none));
        await ExpectUnavailableAsync(() => registry.ModerateAsync(new ModerationRequest(ModerationKind.Revoke, ModerationTarget.ForHash(hash), "x", ModerationSource.Admin, "mod"), none));
        await ExpectUnavailableAsync(() => registry.ListModerationsAsync(0, 10, none));
        await ExpectUnavailableAsync(() => registry.ReadAuditAsync(0, 10, none));
        await ExpectUnavailableAsync(() => registry.ReadAccessChangesAsync(0, 10, none));
        await ExpectUnavailableAsync(() => registry.AddPasskeyAsync(new byte[32], "bob", "admin", none));
        await ExpectUnavailableAsync(() => registry.RemovePasskeyAsync(1, "admin", none));
        await ExpectUnavailableAsync(() => registry.ListPasskeysAsync(none));

        await using var server = await RedisServer.StartNewAsync(port);

        var result = await PollUntilAvailableAsync(() => registry.RegisterAsync(new TorrentRegistration { V1 = hash }, "admin", ModerationSource.Admin, none));
        result.Should().BeEquivalentTo(new { Outcome = RegisterOutcome.Created, Torrent = new { Id = 1L } }, "nothing reached Redis before it was up");
        (await registry.ReadAuditAsync(0, 10, none)).Items.Should().ContainSingle();
    }

    private static async Task ExpectUnavailableAsync(Func<Task> call)
    {
        using var bound = new CancellationTokenSource(FailureBound);
        var act = () => call().WaitAsync(bound.Token);
        var thrown = await act.Should().ThrowAsync<RegistryUnavailableException>("Redis is unreachable; the call must fail cleanly, and within the bound");
        thrown.Which.InnerException.Should().Match(e => e is RedisException || e is RedisTimeoutException || e is RedisCommandException);
    }

    private static async Task<T> PollUntilAvailableAsync<T>(Func<Task<T>> call)
    {
        using var bound = new CancellationTokenSource(RecoveryBound);
        RegistryUnavailableException? last = null;
        while (!bound.IsCancellationRequested)
        {
            try
            {
                return await call().WaitAsync(bound.Token);
            }
            catch (RegistryUnavailableException ex)
            {
                last = ex;
            }
            catch (OperationCanceledException) when (bound.IsCancellationRequested)
            {
                break;
            }

            await Task.Delay(100, CancellationToken.None);
        }

        Assert.Fail($"The registry did not recover within {RecoveryBound}; last failure: {last}");
        throw new InvalidOperationException("unreachable");
    }
}
