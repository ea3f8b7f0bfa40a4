using FediTracker.Core.Diagnostics;
using FediTracker.Core.Swarms;
using FediTracker.Protocol;
using Microsoft.Extensions.Time.Testing;
using static FediTracker.Core.Tests.Swarms.TestPeers;

namespace FediTracker.Core.Tests.Swarms;

/// <summary>The swarm store contract run against <see cref="MemorySwarmStore"/>, plus what only the memory store has.</summary>
[TestFixture]
public sealed class MemorySwarmStoreTests : SwarmStoreContract
{
    private MemorySwarmStore Memory => (MemorySwarmStore)Store;

    protected override ISwarmStore CreateStore(FakeTimeProvider time, TimeSpan peerTimeout) => new MemorySwarmStore(time, peerTimeout);

    protected override ValueTask ExpireAsync(ISwarmStore store)
    {
        ((MemorySwarmStore)store).RemoveExpired();
        return ValueTask.CompletedTask;
    }

    [Test]
    public void Constructor_rejects_a_missing_clock_and_a_timeout_under_one_second()
    {
        FluentActions.Invoking(() => new MemorySwarmStore(null!, PeerTimeout)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => new MemorySwarmStore(Time, TimeSpan.FromMilliseconds(999))).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Test]
    public void New_store_is_empty()
    {
        Memory.PeerCount.Should().Be(0);
        Memory.SwarmCount.Should().Be(0);
        Memory.RemoveExpired().Should().Be(0);
    }

    [Test]
    public void RemoveExpired_returns_how_many_peers_it_dropped()
    {
        var first = NewInfoHash();
        var second = NewInfoHash();
        File(first, V4(1), 0);
        File(first, V4(2), LeecherLeft);
        File(first, V6(1), LeecherLeft);
        File(second, V4(1), LeecherLeft);
        File(second, V6(2), 0);
        Time.Advance(PeerTimeout / 2);
        File(first, V4(3), LeecherLeft);
        File(first, V4(2), LeecherLeft);
        Time.Advance((PeerTimeout / 2) + TimeSpan.FromSeconds(1));

        Memory.RemoveExpired().Should().Be(4, "V4(1) and V6(1) of the first swarm and both peers of the second are stale");
        Memory.RemoveExpired().Should().Be(0, "nothing is left to expire");
        Memory.PeerCount.Should().Be(2);
        Memory.SwarmCount.Should().Be(1);
    }

    [Test]
    public async Task PeerCount_and_SwarmCount_stay_exact_through_inserts_stops_purges_and_expiry()
    {
        var first = NewInfoHash();
        var second = NewInfoHash();

        // Inserts, both families, and re-announces (one of them changing class) that add nothing.
        File(first, V4(1), LeecherLeft);
        File(first, V4(2), 0);
        File(first, V4(3), LeecherLeft);
        File(first, V6(1), LeecherLeft);
        File(first, V6(2), 0);
        File(first, V4(1), 0, AnnounceEvent.Completed);
        File(first, V6(2), 0);
        File(first, V6(2), LeecherLeft);
        Memory.PeerCount.Should().Be(5);
        Memory.SwarmCount.Should().Be(1);
        File(second, V4(1), LeecherLeft);
        File(second, V6(1), LeecherLeft);
        Memory.PeerCount.Should().Be(7);
        Memory.SwarmCount.Should().Be(2);

        // Stops: a known peer, then unknown ones, a repeat, and one in an unknown swarm (which must not create it).
        File(first, V4(3), LeecherLeft, AnnounceEvent.Stopped);
        Memory.PeerCount.Should().Be(6);
        File(first, V4(3), LeecherLeft, AnnounceEvent.Stopped);
        File(first, V4(99), LeecherLeft, AnnounceEvent.Stopped);
        File(first, V6(99), LeecherLeft, AnnounceEvent.Stopped);
        File(NewInfoHash(), V4(1), LeecherLeft, AnnounceEvent.Stopped);
        Memory.PeerCount.Should().Be(6);
        Memory.SwarmCount.Should().Be(2);

        // Purges: a swarm, the same again, and an unknown one.
        (await Memory.PurgeAsync(second, CancellationToken.None)).Should().Be(2);
        (await Memory.PurgeAsync(second, CancellationToken.None)).Should().Be(0);
        (await Memory.PurgeAsync(NewInfoHash(), CancellationToken.None)).Should().Be(0);
        Memory.PeerCount.Should().Be(4);
        Memory.SwarmCount.Should().Be(1);

        // Expiry: one peer refreshed in time survives.
        Time.Advance(PeerTimeout / 2);
        File(first, V6(1), LeecherLeft);
        Time.Advance((PeerTimeout / 2) + TimeSpan.FromSeconds(1));
        Memory.RemoveExpired().Should().Be(3);
        Memory.PeerCount.Should().Be(1);
        Memory.SwarmCount.Should().Be(1);

        // The last peer stops; the sweep then drops the empty swarm.
        File(first, V6(1), LeecherLeft, AnnounceEvent.Stopped);
        Memory.PeerCount.Should().Be(0);
        Memory.RemoveExpired().Should().Be(0);
        Memory.SwarmCount.Should().Be(0);

        // And a purged or expired swarm starts again from nothing.
        File(second, V4(1), LeecherLeft);
        File(first, V4(1), LeecherLeft);
        Memory.PeerCount.Should().Be(2);
        Memory.SwarmCount.Should().Be(2);
    }

    [Test]
    public void Synchronous_announce_and_scrape_match_the_contract()
    {
        var hash = NewInfoHash();
        File(hash, V4(1), 0);
        Span<PeerEntry> peers = new PeerEntry[10];

        var result = Memory.Announce(Request(hash, V4(2), LeecherLeft), peers);
        Span<ScrapeEntry> scraped = new ScrapeEntry[2];
        Memory.Scrape([hash, NewInfoHash()], scraped);

        result.Should().Be(new StoreAnnounceResult(1, 1, 1, 0));
        peers[0].Should().Be(new PeerEntry(V4(1), IdFor(V4(1))));
        scraped.ToArray().Should().Equal(Counts(complete: 1, incomplete: 1), Counts(0, 0));
    }

    [Test]
    public async Task PeerCount_and_SwarmCount_are_exact_after_concurrent_announces_and_stops()
    {
        var remaining = await RunAnnounceStopWorkloadAsync();

        Memory.PeerCount.Should().Be(remaining);
        Memory.SwarmCount.Should().Be(5, "one shared swarm and one per task");
    }

    [Test]
    public async Task PeerCount_is_exact_after_concurrent_completions()
    {
        var remaining = await RunCompletionWorkloadAsync();

        Memory.PeerCount.Should().Be(remaining);
        Memory.SwarmCount.Should().Be(1);
    }

    [Test]
    public async Task PeerCount_and_SwarmCount_are_exact_after_concurrent_expiry()
    {
        var (peers, swarms) = await RunExpiryWorkloadAsync();

        Memory.PeerCount.Should().Be(peers);
        Memory.SwarmCount.Should().Be(swarms);
    }

    [Test]
    public async Task PeerCount_and_SwarmCount_are_exact_after_concurrent_purges()
    {
        var kept = await RunPurgeWorkloadAsync();

        Memory.PeerCount.Should().Be(kept, "only the swarm nobody purged is left");
        Memory.SwarmCount.Should().Be(1);
    }

    [Test]
    public async Task PeerCount_and_SwarmCount_stay_exact_through_blocks_and_unblocks()
    {
        var blocked = NewInfoHash();
        var kept = NewInfoHash();
        File(blocked, V4(1), 0);
        File(blocked, V4(2), LeecherLeft);
        File(blocked, V6(1), LeecherLeft);
        File(kept, V4(1), LeecherLeft);

        (await Memory.BlockAsync(blocked, CancellationToken.None)).Should().Be(3);
        (await Memory.BlockAsync(NewInfoHash(), CancellationToken.None)).Should().Be(0);
        (await Memory.BlockAsync(blocked, CancellationToken.None)).Should().Be(0);

        Memory.PeerCount.Should().Be(1);
        Memory.SwarmCount.Should().Be(1, "a blocked hash's tombstone holds no peer and is not a torrent");
        Memory.BlockedCount.Should().Be(2);
        Memory.GetTotals().Should().Be(new SwarmTotals(1, 0, 1));
        Time.Advance(PeerTimeout + TimeSpan.FromSeconds(1));
        Memory.RemoveExpired().Should().Be(1);
        Memory.SwarmCount.Should().Be(0);
        Memory.BlockedCount.Should().Be(2, "expiry keeps the tombstones");

        await Memory.UnblockAsync(blocked, CancellationToken.None);
        await Memory.UnblockAsync(blocked, CancellationToken.None);
        Memory.BlockedCount.Should().Be(1);
        File(blocked, V4(1), LeecherLeft);
        Memory.PeerCount.Should().Be(1);
        Memory.SwarmCount.Should().Be(1);
    }

    [Test]
    public async Task PeerCount_is_exact_after_concurrent_announces_and_a_block()
    {
        await RunBlockWorkloadAsync();

        Memory.PeerCount.Should().Be(0, "every peer filed before the block was dropped by it, and none after");
        Memory.BlockedCount.Should().Be(0);
    }

    [Test]
    public void Ipv4_and_ipv6_peers_beside_each_other_above_the_index_threshold_stay_apart_and_are_counted_together()
    {
        const int PerFamily = 3 * PeerList<V4Key>.IndexThreshold;
        var hash = NewInfoHash();
        for (var i = 0; i < PerFamily; i++)
        {
            File(hash, V4(i), i % 3 == 0 ? 0 : LeecherLeft);
            File(hash, V6(i), i % 3 == 0 ? LeecherLeft : 0);
        }

        // Every IPv6 seeder becomes a leecher and back, and a third of the IPv4 peers stop.
        for (var i = 0; i < PerFamily; i++)
        {
            if (i % 3 != 0)
            {
                File(hash, V6(i), LeecherLeft);
                File(hash, V6(i), 0);
            }
            else
            {
                File(hash, V4(i), 0, AnnounceEvent.Stopped);
            }
        }

        var v4Seeders = 0;
        var v6Seeders = PerFamily - (PerFamily / 3);
        var v4Leechers = PerFamily - (PerFamily / 3);
        Memory.GetTotals().Should().Be(new SwarmTotals(1, v4Seeders + v6Seeders, v4Leechers + (PerFamily / 3)));
        var buffer = new PeerEntry[4 * PerFamily];
        var fromV4 = Memory.Announce(Request(hash, V4(PerFamily + 1), LeecherLeft, numWant: buffer.Length), buffer);
        buffer.Take(fromV4.PeerCount).Select(p => p.Endpoint).Should().BeEquivalentTo(
            Enumerable.Range(0, PerFamily).Where(i => i % 3 != 0).Select(i => V4(i)),
            "an IPv4 announcer gets every other IPv4 peer and no IPv6 peer");
        var fromV6 = Memory.Announce(Request(hash, V6(PerFamily + 1), 0, numWant: buffer.Length), buffer);
        buffer.Take(fromV6.PeerCount).Select(p => p.Endpoint).Should().BeEquivalentTo(
            Enumerable.Range(0, PerFamily).Where(i => i % 3 == 0).Select(i => V6(i)),
            "an IPv6 seeder gets the IPv6 leechers only");

        for (var i = 0; i <= PerFamily + 1; i++)
        {
            File(hash, V6(i), 0, AnnounceEvent.Stopped);
        }

        Memory.PeerCount.Should().Be(v4Leechers + 1);
        (fromV4.Complete, fromV4.Incomplete).Should().Be((v6Seeders, v4Leechers + (PerFamily / 3) + 1));
    }

    private void File(InfoHash infoHash, PeerEndpoint endpoint, long left, AnnounceEvent announceEvent = AnnounceEvent.None) =>
        Memory.Announce(Request(infoHash, endpoint, left, announceEvent, numWant: 0), []);
}
