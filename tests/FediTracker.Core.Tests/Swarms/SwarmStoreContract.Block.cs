using FediTracker.Core.Swarms;
using FediTracker.Protocol;
using static FediTracker.Core.Tests.Swarms.TestPeers;

namespace FediTracker.Core.Tests.Swarms;

/// <summary>
/// The revocation part of the contract: <see cref="ISwarmStore.BlockAsync"/> refuses a hash and forgets its swarm,
/// atomically with announces; <see cref="ISwarmStore.UnblockAsync"/> serves it again from nothing.
/// </summary>
public abstract partial class SwarmStoreContract
{
    private static readonly StoreAnnounceResult Refused = new(0, 0, 0, 0, StoreAnnounceStatus.Revoked);

    [Test]
    public async Task Block_drops_every_peer_of_both_families_and_says_how_many()
    {
        var hash = NewInfoHash();
        await AddPeersAsync(hash, count: 5, first: 1, seederEvery: 2);
        await AddPeersAsync(hash, count: 3, first: 1, seederEvery: 2, ipv6: true);

        var dropped = await Store.BlockAsync(hash, CancellationToken.None);

        dropped.Should().Be(8);
        (await ScrapeOneAsync(hash)).Should().Be(Counts(complete: 0, incomplete: 0));
    }

    [Test]
    public async Task Block_forgets_the_download_count()
    {
        var hash = NewInfoHash();
        await AddPeerAsync(hash, V4(1), LeecherLeft);
        await AddPeerAsync(hash, V4(2), LeecherLeft);
        await AnnounceAsync(Request(hash, V4(1), 0, AnnounceEvent.Completed));
        (await ScrapeOneAsync(hash)).Downloaded.Should().Be(1);

        await Store.BlockAsync(hash, CancellationToken.None);

        (await ScrapeOneAsync(hash)).Should().Be(Counts(0, 0), "a blocked torrent scrapes as unknown");
        await Store.UnblockAsync(hash, CancellationToken.None);
        (await ScrapeOneAsync(hash)).Should().Be(Counts(0, 0), "the count went with the swarm, not just out of sight");
    }

    [TestCase(AnnounceEvent.None)]
    [TestCase(AnnounceEvent.Started)]
    [TestCase(AnnounceEvent.Completed)]
    [TestCase(AnnounceEvent.Stopped)]
    [TestCase(AnnounceEvent.Paused)]
    public async Task Announce_after_block_is_refused_and_keeps_nothing(AnnounceEvent announceEvent)
    {
        var hash = NewInfoHash();
        await AddPeersAsync(hash, count: 4, first: 1, seederEvery: 2);
        await AddPeerAsync(hash, V6(1), LeecherLeft);
        await Store.BlockAsync(hash, CancellationToken.None);

        // A member of the old swarm, a newcomer, a seeder and a leecher of each family.
        foreach (var (endpoint, left) in new[] { (V4(1), 0L), (V4(2), LeecherLeft), (V4(100), LeecherLeft), (V6(1), 0L), (V6(100), LeecherLeft) })
        {
            var reply = await AnnounceAsync(Request(hash, endpoint, left, announceEvent));
            reply.Result.Should().Be(Refused, "{0} from {1} after the block", announceEvent, endpoint);
        }

        (await ScrapeOneAsync(hash)).Should().Be(Counts(0, 0));
        (await Store.BlockAsync(hash, CancellationToken.None)).Should().Be(0, "none of the refused announces filed a peer");
    }

    [Test]
    public async Task Completed_after_block_counts_no_download()
    {
        var hash = NewInfoHash();
        await AddPeerAsync(hash, V4(1), LeecherLeft);
        await Store.BlockAsync(hash, CancellationToken.None);

        (await AnnounceAsync(Request(hash, V4(1), 0, AnnounceEvent.Completed))).Result.Should().Be(Refused);
        await Store.UnblockAsync(hash, CancellationToken.None);

        (await ScrapeOneAsync(hash)).Should().Be(Counts(0, 0, downloaded: 0));
    }

    [Test]
    public async Task Block_of_an_unknown_hash_drops_nothing_and_still_refuses_later_announces()
    {
        var hash = NewInfoHash();

        (await Store.BlockAsync(hash, CancellationToken.None)).Should().Be(0);

        (await AnnounceAsync(Request(hash, V4(1), LeecherLeft, AnnounceEvent.Started))).Result.Should().Be(Refused);
        (await AnnounceAsync(Request(hash, V6(1), 0, AnnounceEvent.Started))).Result.Should().Be(Refused);
        (await AnnounceAsync(Request(hash, V4(2), 0, AnnounceEvent.Stopped))).Result.Should().Be(Refused);
        (await ScrapeOneAsync(hash)).Should().Be(Counts(0, 0));
    }

    [Test]
    public async Task Block_is_idempotent_and_a_second_block_drops_nothing()
    {
        var hash = NewInfoHash();
        await AddPeersAsync(hash, count: 3, first: 1, seederEvery: 2);

        (await Store.BlockAsync(hash, CancellationToken.None)).Should().Be(3);
        (await Store.BlockAsync(hash, CancellationToken.None)).Should().Be(0);

        (await AnnounceAsync(Request(hash, V4(1), LeecherLeft))).Result.Should().Be(Refused, "blocking twice is still blocked");
    }

    [Test]
    public async Task Block_leaves_other_swarms_untouched()
    {
        var blocked = NewInfoHash();
        var kept = NewInfoHash();
        await AddPeersAsync(blocked, count: 4, first: 1, seederEvery: 2);
        var keptPeers = await AddPeersAsync(kept, count: 4, first: 1, seederEvery: 2);

        await Store.BlockAsync(blocked, CancellationToken.None);

        (await ScrapeAsync(blocked, kept)).Should().Equal(Counts(0, 0), Counts(complete: 2, incomplete: 2));
        (await AnnounceAsync(Request(kept, V4(100), LeecherLeft))).Endpoints.Should().BeEquivalentTo(keptPeers.Select(p => p.Endpoint));
    }

    [Test]
    public async Task Unblock_serves_the_hash_again_from_an_empty_swarm()
    {
        var hash = NewInfoHash();
        await AddPeersAsync(hash, count: 4, first: 1, seederEvery: 2);
        await AddPeersAsync(hash, count: 2, first: 1, ipv6: true);
        await Store.BlockAsync(hash, CancellationToken.None);

        await Store.UnblockAsync(hash, CancellationToken.None);

        var first4 = await AnnounceAsync(Request(hash, V4(100), LeecherLeft, AnnounceEvent.Started));
        var first6 = await AnnounceAsync(Request(hash, V6(100), LeecherLeft, AnnounceEvent.Started));
        first4.Result.Should().Be(new StoreAnnounceResult(0, 0, 1, 0), "no peer from before the block comes back");
        first6.Result.Should().Be(new StoreAnnounceResult(0, 0, 2, 0));
        (await AnnounceAsync(Request(hash, V4(101), 0))).Endpoints.Should().Equal([V4(100)]);
        (await ScrapeOneAsync(hash)).Should().Be(Counts(complete: 1, incomplete: 2));
    }

    [Test]
    public async Task Unblock_of_a_hash_never_blocked_changes_nothing()
    {
        var hash = NewInfoHash();
        await AddPeersAsync(hash, count: 3, first: 1, seederEvery: 2);

        await Store.UnblockAsync(hash, CancellationToken.None);
        await Store.UnblockAsync(NewInfoHash(), CancellationToken.None);

        (await ScrapeOneAsync(hash)).Should().Be(Counts(complete: 2, incomplete: 1), "unblocking a served swarm must not purge it");
    }

    [Test]
    public async Task Unblock_twice_then_block_again_refuses_again()
    {
        var hash = NewInfoHash();
        await Store.BlockAsync(hash, CancellationToken.None);
        await Store.UnblockAsync(hash, CancellationToken.None);
        await Store.UnblockAsync(hash, CancellationToken.None);
        await AddPeersAsync(hash, count: 2, first: 1);

        (await Store.BlockAsync(hash, CancellationToken.None)).Should().Be(2);

        (await AnnounceAsync(Request(hash, V4(5), LeecherLeft))).Result.Should().Be(Refused);
    }

    [Test]
    public async Task Purge_of_a_blocked_hash_does_not_unblock_it()
    {
        var hash = NewInfoHash();
        await AddPeersAsync(hash, count: 3, first: 1);
        await Store.BlockAsync(hash, CancellationToken.None);

        (await Store.PurgeAsync(hash, CancellationToken.None)).Should().Be(0, "the block dropped every peer already");
        (await Store.PurgeAsync(hash, CancellationToken.None)).Should().Be(0);

        (await AnnounceAsync(Request(hash, V4(1), LeecherLeft, AnnounceEvent.Started))).Result.Should().Be(Refused);
        (await ScrapeOneAsync(hash)).Should().Be(Counts(0, 0));
    }

    [Test]
    public async Task Expiry_leaves_a_blocked_hash_blocked()
    {
        var blocked = NewInfoHash();
        var blockedEmpty = NewInfoHash();
        await AddPeersAsync(blocked, count: 3, first: 1);
        await Store.BlockAsync(blocked, CancellationToken.None);
        await Store.BlockAsync(blockedEmpty, CancellationToken.None);

        for (var i = 0; i < 3; i++)
        {
            Time.Advance((2 * PeerTimeout) + TimeSpan.FromMinutes(5));
            await ExpireAsync(Store);
        }

        (await AnnounceAsync(Request(blocked, V4(1), LeecherLeft, AnnounceEvent.Started))).Result.Should().Be(Refused);
        (await AnnounceAsync(Request(blockedEmpty, V4(1), LeecherLeft, AnnounceEvent.Started))).Result.Should().Be(Refused);
        (await ScrapeAsync(blocked, blockedEmpty)).Should().Equal(Counts(0, 0), Counts(0, 0));
    }

    [Test]
    public async Task Expiry_of_a_neighbour_swarm_leaves_a_blocked_hash_blocked()
    {
        var blocked = NewInfoHash();
        var stale = NewInfoHash();
        await AddPeersAsync(stale, count: 3, first: 1);
        await Store.BlockAsync(blocked, CancellationToken.None);
        Time.Advance(PeerTimeout + TimeSpan.FromSeconds(1));

        await ExpireAsync(Store);

        (await AnnounceAsync(Request(stale, V4(10), LeecherLeft))).Endpoints.Should().BeEmpty("the stale swarm expired");
        (await AnnounceAsync(Request(blocked, V4(10), LeecherLeft))).Result.Should().Be(Refused);
    }

    /// <summary>
    /// Tasks announce distinct peers to one hash, without pause, while another task blocks it once they are well
    /// under way. Every announce that began after <see cref="ISwarmStore.BlockAsync"/> returned is refused with no
    /// peer; and nothing was filed behind the block's back: a second block drops nothing, and after an unblock the
    /// swarm is empty.
    /// </summary>
    [Test]
    public async Task Concurrent_announces_and_a_block_leave_no_peer_behind_it()
    {
        await RunBlockWorkloadAsync();
    }

    /// <summary>The workload behind <see cref="Concurrent_announces_and_a_block_leave_no_peer_behind_it"/>; the
    /// hash is left unblocked and empty.</summary>
    protected async Task RunBlockWorkloadAsync()
    {
        const int Announcers = 4;
        const int Rounds = 5;
        var perTask = ConcurrentPeersPerTask;
        var impossible = new int[1];

        for (var round = 0; round < Rounds; round++)
        {
            var hash = NewInfoHash();
            var announced = new int[1];
            var blockRequested = new int[1];
            var blockedAt = new int[1];
            var leakedAfterBlock = new int[1];
            var acceptedAfterBlock = new int[1];
            var refusedBeforeBlock = new int[1];
            var underWay = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

            var blocker = Task.Run(async () =>
            {
                await underWay.Task;
                Volatile.Write(ref blockRequested[0], 1);
                var dropped = await Store.BlockAsync(hash, CancellationToken.None);
                Volatile.Write(ref blockedAt[0], 1);
                return dropped;
            });
            var announcers = Enumerable.Range(0, Announcers).Select(task => Task.Run(async () =>
            {
                await start.Task;
                var buffer = new PeerEntry[50];
                for (var i = 0; i < perTask; i++)
                {
                    // Read before the call: only an announce that began after the block returned must be refused.
                    var afterBlock = Volatile.Read(ref blockedAt[0]) == 1;
                    var left = IsWorkloadSeeder(i) ? 0 : LeecherLeft;
                    var announceEvent = (i % 7) switch
                    {
                        0 => AnnounceEvent.Started,
                        3 => AnnounceEvent.Completed,
                        _ => AnnounceEvent.None,
                    };
                    var result = await Store.AnnounceAsync(Request(hash, WorkloadEndpoint(task, i), left, announceEvent), buffer, CancellationToken.None);
                    CheckSane(result, impossible);
                    if (i % 5 == 4)
                    {
                        // A peer leaves now and then (stopped for the one filed just before).
                        var previous = WorkloadEndpoint(task, i - 1);
                        CheckSane(await Store.AnnounceAsync(Request(hash, previous, LeecherLeft, AnnounceEvent.Stopped), buffer, CancellationToken.None), impossible);
                    }

                    if (afterBlock)
                    {
                        if (result.Status != StoreAnnounceStatus.Revoked)
                        {
                            Interlocked.Increment(ref acceptedAfterBlock[0]);
                        }

                        if (result.PeerCount > 0 || result.Complete > 0 || result.Incomplete > 0 || result.Downloaded > 0)
                        {
                            Interlocked.Increment(ref leakedAfterBlock[0]);
                        }
                    }
                    else if (result.Status == StoreAnnounceStatus.Revoked && Volatile.Read(ref blockRequested[0]) == 0)
                    {
                        // Refused before anyone asked for the block: impossible.
                        Interlocked.Increment(ref refusedBeforeBlock[0]);
                    }

                    if (Interlocked.Increment(ref announced[0]) == Announcers * perTask / 3)
                    {
                        underWay.TrySetResult();
                    }
                }
            })).ToArray();
            start.SetResult();
            await Task.WhenAll(announcers);
            underWay.TrySetResult();
            var droppedByBlock = await blocker;

            impossible[0].Should().Be(0, "no reply may hold negative counts or more peers than asked for");
            refusedBeforeBlock[0].Should().Be(0, "nothing is refused before the block is asked for");
            acceptedAfterBlock[0].Should().Be(0, "in round {0} every announce begun after BlockAsync returned is refused", round);
            leakedAfterBlock[0].Should().Be(0, "in round {0} no announce begun after BlockAsync returned is given peers or counts", round);
            droppedByBlock.Should().BeInRange(0, Announcers * perTask);
            (await ScrapeOneAsync(hash)).Should().Be(Counts(0, 0));
            (await Store.BlockAsync(hash, CancellationToken.None)).Should().Be(0, "in round {0} no peer was filed behind the block", round);
            await Store.UnblockAsync(hash, CancellationToken.None);
            (await ScrapeOneAsync(hash)).Should().Be(Counts(0, 0), "in round {0} the swarm held nothing once blocked", round);
            (await AnnounceAsync(Request(hash, V4(0xFF_FFFF), LeecherLeft))).Result.Should().Be(new StoreAnnounceResult(0, 0, 1, 0));
            await AnnounceAsync(Request(hash, V4(0xFF_FFFF), LeecherLeft, AnnounceEvent.Stopped));
        }
    }
}
