using FediTracker.Core.Swarms;
using FediTracker.Protocol;
using FediTracker.Storage.Redis.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using static FediTracker.Core.Tests.Swarms.TestPeers;

namespace FediTracker.Storage.Redis.Tests;

/// <summary>
/// Redis going away and coming back under a live store: every call fails with
/// <see cref="SwarmStoreUnavailableException"/> (never a raw Redis exception, never a hang), and the same store
/// instance works again once Redis answers. Default operation timeout (1 s), as in production.
/// </summary>
[TestFixture]
public sealed class RedisFaultTests
{
    // Outer bounds only (the test's own cancellation), not measurements of speed.
    private static readonly TimeSpan FailureBound = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PeerTimeout = TimeSpan.FromMinutes(30);

    [Test]
    public async Task Redis_stopped_mid_run_fails_calls_as_unavailable_and_the_same_store_recovers_when_it_is_back()
    {
        await using var server = await RedisServer.StartNewAsync();
        var options = new RedisStoreOptions { Configuration = server.EndPoint };
        await using var multiplexer = await RedisConnectionFactory.ConnectAsync(options);
        var store = new RedisSwarmStore(multiplexer, options, new FakeTimeProvider(), PeerTimeout);
        var hash = NewInfoHash();
        await AnnounceAsync(store, hash, V4(1), 0);
        (await AnnounceAsync(store, hash, V4(2), LeecherLeft)).Complete.Should().Be(1);

        await server.StopAsync();

        await ExpectUnavailableAsync(() => AnnounceAsync(store, hash, V4(3), LeecherLeft));
        await ExpectUnavailableAsync(() => store.ScrapeAsync(new[] { hash, NewInfoHash() }, new ScrapeEntry[2], CancellationToken.None).AsTask());
        await ExpectUnavailableAsync(() => store.PurgeAsync(hash, CancellationToken.None).AsTask());
        (await store.IsHealthyAsync().WaitAsync(FailureBound)).Should().BeFalse();

        await server.StartAsync();

        // The restarted server is empty (no persistence) and has no scripts loaded: the first call that gets
        // through also proves that the lost script cache is handled.
        var result = await PollUntilAvailableAsync(() => AnnounceAsync(store, hash, V4(4), LeecherLeft));
        result.Should().Be(new StoreAnnounceResult(0, 0, 1, 0));
        (await AnnounceAsync(store, hash, V4(5), 0)).Should().Be(new StoreAnnounceResult(1, 1, 1, 0));
        (await store.IsHealthyAsync()).Should().BeTrue();
    }

    [Test]
    public async Task Census_that_fails_keeps_the_last_figures_and_counts_again_once_redis_is_back()
    {
        await using var server = await RedisServer.StartNewAsync();
        var options = new RedisStoreOptions { Configuration = server.EndPoint };
        await using var multiplexer = await RedisConnectionFactory.ConnectAsync(options);
        var time = new FakeTimeProvider();
        var store = new RedisSwarmStore(multiplexer, options, time, PeerTimeout);
        var census = new RedisSwarmCensus(multiplexer, options, time, PeerTimeout, maxKeys: 1_000);
        await AnnounceAsync(store, NewInfoHash(), V4(1), 0);
        await AnnounceAsync(store, NewInfoHash(), V4(1), LeecherLeft);
        (await census.RunAsync(CancellationToken.None)).Should().BeTrue();
        var before = census.GetTotals();

        await server.StopAsync();

        (await census.RunAsync(CancellationToken.None).WaitAsync(FailureBound)).Should().BeFalse();
        census.GetTotals().Should().Be(before).And.Be(new Core.Diagnostics.SwarmTotals(2, 1, 1));

        await server.StartAsync();
        var deadline = DateTime.UtcNow + RecoveryBound;
        while (!await census.RunAsync(CancellationToken.None) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        census.GetTotals().Should().Be(default(Core.Diagnostics.SwarmTotals), "the restarted Redis is empty");
    }

    [Test]
    public async Task Store_connected_before_redis_starts_fails_as_unavailable_then_works_once_redis_is_up()
    {
        var port = FreePort.Next();
        var options = new RedisStoreOptions { Configuration = $"127.0.0.1:{port}" };
        await using var multiplexer = await RedisConnectionFactory.ConnectAsync(options).WaitAsync(FailureBound);
        var store = new RedisSwarmStore(multiplexer, options, new FakeTimeProvider(), PeerTimeout);
        var hash = NewInfoHash();

        await ExpectUnavailableAsync(() => AnnounceAsync(store, hash, V4(1), LeecherLeft));
        (await store.IsHealthyAsync().WaitAsync(FailureBound)).Should().BeFalse();

        await using var server = await RedisServer.StartNewAsync(port);

        (await PollUntilAvailableAsync(() => AnnounceAsync(store, hash, V4(1), LeecherLeft))).Incomplete.Should().Be(1);
        (await store.IsHealthyAsync()).Should().BeTrue();
    }

    [Test]
    public async Task Redis_busy_running_a_script_fails_calls_as_unavailable_until_the_script_is_killed()
    {
        // A server stuck in a long script answers BUSY to everyone else after busy-reply-threshold.
        await using var server = await RedisServer.StartNewAsync("--busy-reply-threshold", "100");
        var options = new RedisStoreOptions { Configuration = server.EndPoint };
        await using var multiplexer = await RedisConnectionFactory.ConnectAsync(options);
        var store = new RedisSwarmStore(multiplexer, options, new FakeTimeProvider(), PeerTimeout);
        var hash = NewInfoHash();
        await AnnounceAsync(store, hash, V4(1), 0);

        var stuck = RedisProbe.TryCommandAsync(server.Port, "EVAL \"while true do end\" 0", RecoveryBound);
        await PollUntilAsync(async () => (await RedisProbe.TryCommandAsync(server.Port, "PING", TimeSpan.FromSeconds(1)))?.StartsWith("-BUSY", StringComparison.Ordinal) == true);

        (await ExpectUnavailableAsync(() => AnnounceAsync(store, hash, V4(2), LeecherLeft))).InnerException!.Message.Should().StartWith("BUSY");
        await ExpectUnavailableAsync(() => store.ScrapeAsync(new[] { hash }, new ScrapeEntry[1], CancellationToken.None).AsTask());
        (await RedisProbe.TryCommandAsync(server.Port, "SCRIPT KILL", TimeSpan.FromSeconds(5))).Should().Be("+OK");
        (await stuck).Should().StartWith("-", "the stuck script was killed");

        (await AnnounceAsync(store, hash, V4(2), LeecherLeft)).Should().Be(new StoreAnnounceResult(1, 1, 1, 0));
    }

    private static async Task<StoreAnnounceResult> AnnounceAsync(RedisSwarmStore store, InfoHash hash, PeerEndpoint endpoint, long left) =>
        await store.AnnounceAsync(Request(hash, endpoint, left, AnnounceEvent.Started), new PeerEntry[50], CancellationToken.None);

    private static async Task<SwarmStoreUnavailableException> ExpectUnavailableAsync(Func<Task> call)
    {
        using var bound = new CancellationTokenSource(FailureBound);
        var act = () => call().WaitAsync(bound.Token);
        var thrown = await act.Should().ThrowAsync<SwarmStoreUnavailableException>("Redis is unreachable; the call must fail cleanly, and within the bound");
        thrown.Which.InnerException.Should().Match(e => e is RedisException || e is RedisTimeoutException || e is RedisCommandException);
        return thrown.Which;
    }

    private static async Task PollUntilAsync(Func<Task<bool>> condition)
    {
        using var bound = new CancellationTokenSource(RecoveryBound);
        while (!await condition())
        {
            if (bound.IsCancellationRequested)
            {
                Assert.Fail($"The condition did not hold within {RecoveryBound}.");
            }

            await Task.Delay(20, CancellationToken.None);
        }
    }

    private static async Task<T> PollUntilAvailableAsync<T>(Func<Task<T>> call)
    {
        using var bound = new CancellationTokenSource(RecoveryBound);
        SwarmStoreUnavailableException? last = null;
        while (!bound.IsCancellationRequested)
        {
            try
            {
                return await call().WaitAsync(bound.Token);
            }
            catch (SwarmStoreUnavailableException ex)
            {
                last = ex;
            }
            catch (OperationCanceledException) when (bound.IsCancellationRequested)
            {
                break;
            }

            await Task.Delay(100, CancellationToken.None);
        }

        Assert.Fail($"The store did not recover within {RecoveryBound}; last failure: {last}");
        throw new InvalidOperationException("unreachable");
    }
}
