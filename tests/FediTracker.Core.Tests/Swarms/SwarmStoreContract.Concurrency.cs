using FediTracker.Core.Swarms;
using FediTracker.Protocol;
using static FediTracker.Core.Tests.Swarms.TestPeers;

namespace FediTracker.Core.Tests.Swarms;

/// <summary>The concurrency part of the contract: bounded workloads from several tasks whose end state is known exactly.</summary>
public abstract partial class SwarmStoreContract
{
    private const int Tasks = 4;

    [Test]
    public async Task Concurrent_announces_and_stops_end_with_exact_counts()
    {
        await RunAnnounceStopWorkloadAsync();
    }

    [Test]
    public async Task Concurrent_completions_are_each_counted_once()
    {
        await RunCompletionWorkloadAsync();
    }

    [Test]
    public async Task Concurrent_expiry_sweeps_never_lose_a_live_peer()
    {
        await RunExpiryWorkloadAsync();
    }

    [Test]
    public async Task Concurrent_purges_and_announces_account_for_every_peer()
    {
        await RunPurgeWorkloadAsync();
    }

    /// <summary>
    /// <see cref="Tasks"/> tasks at once, each with its own peers (even tasks IPv4, odd tasks IPv6): each files
    /// <see cref="ConcurrentPeersPerTask"/> peers in one shared swarm and in a swarm of its own, refreshes some,
    /// and stops every even-numbered one right after filing the next. Checks the final counts exactly and returns
    /// how many peers remain in all.
    /// </summary>
    protected async Task<long> RunAnnounceStopWorkloadAsync()
    {
        var perTask = ConcurrentPeersPerTask;
        var shared = NewInfoHash();
        var own = Enumerable.Range(0, Tasks).Select(_ => NewInfoHash()).ToArray();
        var impossible = new int[1];
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var workers = Enumerable.Range(0, Tasks).Select(task => Task.Run(async () =>
        {
            await start.Task;
            var buffer = new PeerEntry[50];
            for (var i = 0; i < perTask; i++)
            {
                var endpoint = WorkloadEndpoint(task, i);
                var left = IsWorkloadSeeder(i) ? 0 : LeecherLeft;
                CheckSane(await Store.AnnounceAsync(Request(shared, endpoint, left, AnnounceEvent.Started), buffer, CancellationToken.None), impossible);
                CheckSane(await Store.AnnounceAsync(Request(own[task], endpoint, left, AnnounceEvent.Started), buffer, CancellationToken.None), impossible);
                if (i % 3 == 0)
                {
                    CheckSane(await Store.AnnounceAsync(Request(shared, endpoint, left), buffer, CancellationToken.None), impossible);
                }

                if (i % 2 == 1)
                {
                    var previous = WorkloadEndpoint(task, i - 1);
                    var previousLeft = IsWorkloadSeeder(i - 1) ? 0 : LeecherLeft;
                    CheckSane(await Store.AnnounceAsync(Request(shared, previous, previousLeft, AnnounceEvent.Stopped), buffer, CancellationToken.None), impossible);
                    CheckSane(await Store.AnnounceAsync(Request(own[task], previous, previousLeft, AnnounceEvent.Stopped), buffer, CancellationToken.None), impossible);
                }
            }
        })).ToArray();
        start.SetResult();
        await Task.WhenAll(workers);

        // Odd-numbered peers stay, and so does the last even one if nothing came after it to stop it.
        int ownComplete = 0, ownIncomplete = 0;
        for (var i = 0; i < perTask; i++)
        {
            var stopped = i % 2 == 0 && i + 1 < perTask;
            if (stopped)
            {
                continue;
            }

            if (IsWorkloadSeeder(i))
            {
                ownComplete++;
            }
            else
            {
                ownIncomplete++;
            }
        }

        impossible[0].Should().Be(0, "no reply may hold negative counts or more peers than asked for");
        var expectedOwn = Enumerable.Repeat(Counts(ownComplete, ownIncomplete), Tasks);
        (await ScrapeAsync([.. own])).Should().Equal(expectedOwn);
        (await ScrapeOneAsync(shared)).Should().Be(Counts(Tasks * ownComplete, Tasks * ownIncomplete));
        return 2L * Tasks * (ownComplete + ownIncomplete);
    }

    /// <summary>
    /// <see cref="Tasks"/> tasks file leechers in one swarm, then each sends <c>completed</c> for all of its own,
    /// and again for half of them. Every peer counts one download. Returns how many peers remain.
    /// </summary>
    protected async Task<long> RunCompletionWorkloadAsync()
    {
        var perTask = ConcurrentPeersPerTask / 2;
        var hash = NewInfoHash();
        var impossible = new int[1];
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var workers = Enumerable.Range(0, Tasks).Select(task => Task.Run(async () =>
        {
            await start.Task;
            var buffer = new PeerEntry[50];
            for (var i = 0; i < perTask; i++)
            {
                CheckSane(await Store.AnnounceAsync(Request(hash, WorkloadEndpoint(task, i), LeecherLeft, AnnounceEvent.Started), buffer, CancellationToken.None), impossible);
            }

            for (var i = 0; i < perTask; i++)
            {
                CheckSane(await Store.AnnounceAsync(Request(hash, WorkloadEndpoint(task, i), 0, AnnounceEvent.Completed), buffer, CancellationToken.None), impossible);
            }

            for (var i = 0; i < perTask; i += 2)
            {
                CheckSane(await Store.AnnounceAsync(Request(hash, WorkloadEndpoint(task, i), 0, AnnounceEvent.Completed), buffer, CancellationToken.None), impossible);
            }
        })).ToArray();
        start.SetResult();
        await Task.WhenAll(workers);

        impossible[0].Should().Be(0, "no reply may hold negative counts or more peers than asked for");
        (await ScrapeOneAsync(hash)).Should().Be(Counts(complete: Tasks * perTask, incomplete: 0, downloaded: Tasks * perTask));
        return Tasks * perTask;
    }

    /// <summary>
    /// Rounds of: file many stale peers in two swarms, move the clock past the timeout, then run expiry sweeps
    /// while other threads file live peers into the very swarms the first sweep is emptying. The announcers start
    /// the moment the sweeper does, and a sweep of a big stale swarm takes long enough that they arrive in the
    /// middle of it: the race in which a store that drops an emptied swarm can lose a peer filed meanwhile. After
    /// each round every live peer is there and every stale one gone. Returns how many peers remain, and in how
    /// many swarms.
    /// </summary>
    protected async Task<(long Peers, int Swarms)> RunExpiryWorkloadAsync()
    {
        const int Rounds = 40;
        const int Swarms = 2;
        const int Announcers = 2;
        const int LivePerAnnouncerAndSwarm = 20;
        const int Sweeps = 3;
        var stalePerSwarm = Math.Min(ConcurrentPeersPerTask, 2_000);
        var hashes = Enumerable.Range(0, Swarms).Select(_ => NewInfoHash()).ToArray();
        var buffer = new PeerEntry[50];
        var impossible = new int[1];

        // Announcer number 'Announcers' stands for the stale peers; j stays below 2 048.
        static PeerEndpoint Endpoint(int round, int swarm, int announcer, int j) =>
            V4((((((round * Swarms) + swarm) * (Announcers + 1)) + announcer) * 2_048) + j);

        for (var round = 0; round < Rounds; round++)
        {
            for (var s = 0; s < Swarms; s++)
            {
                for (var j = 0; j < stalePerSwarm; j++)
                {
                    var left = j % 2 == 0 ? 0 : LeecherLeft;
                    await Store.AnnounceAsync(Request(hashes[s], Endpoint(round, s, Announcers, j), left, numWant: 0), buffer, CancellationToken.None);
                }
            }

            Time.Advance(PeerTimeout + TimeSpan.FromSeconds(1));

            // Dedicated threads, so the announcers can spin on the start signal without starving the sweeper.
            var sweeping = new int[1];
            var sweeper = StartThread(async () =>
            {
                Volatile.Write(ref sweeping[0], 1);
                for (var k = 0; k < Sweeps; k++)
                {
                    await ExpireAsync(Store);
                }
            });
            var thisRound = round;
            var announcers = Enumerable.Range(0, Announcers).Select(a => StartThread(async () =>
            {
                while (Volatile.Read(ref sweeping[0]) == 0)
                {
                    Thread.SpinWait(1);
                }

                // A random head start for the sweeper (a few microseconds at most), so that over the rounds the
                // announcers land at every point of the sweep rather than always just before it.
                Thread.SpinWait(Random.Shared.Next(4_000));

                var replyBuffer = new PeerEntry[50];
                for (var j = 0; j < LivePerAnnouncerAndSwarm; j++)
                {
                    for (var s = 0; s < Swarms; s++)
                    {
                        var left = j % 4 == 0 ? 0 : LeecherLeft;
                        CheckSane(await Store.AnnounceAsync(Request(hashes[s], Endpoint(thisRound, s, a, j), left), replyBuffer, CancellationToken.None), impossible);
                    }
                }
            }));
            await Task.WhenAll(announcers.Append(sweeper));
            await ExpireAsync(Store);

            impossible[0].Should().Be(0, "no reply may hold negative counts or more peers than asked for");
            var expectedComplete = Announcers * Enumerable.Range(0, LivePerAnnouncerAndSwarm).Count(j => j % 4 == 0);
            var expected = Counts(expectedComplete, (Announcers * LivePerAnnouncerAndSwarm) - expectedComplete);
            (await ScrapeAsync(hashes)).Should().Equal(Enumerable.Repeat(expected, Swarms), $"in round {round} every live peer stays and every stale one goes");
        }

        return (Swarms * Announcers * LivePerAnnouncerAndSwarm, Swarms);
    }

    /// <summary>
    /// Tasks file distinct peers, each exactly once, into one swarm that another task purges over and over (and
    /// into a second swarm nobody purges). Every peer is either dropped by exactly one purge or still there at the
    /// end. Returns how many peers remain once the purged swarm is purged a last time.
    /// </summary>
    protected async Task<long> RunPurgeWorkloadAsync()
    {
        const int Announcers = 3;
        const int Purges = 200;
        var perTask = ConcurrentPeersPerTask;
        var purged = NewInfoHash();
        var kept = NewInfoHash();
        var impossible = new int[1];
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var purger = Task.Run(async () =>
        {
            await start.Task;
            long dropped = 0;
            for (var k = 0; k < Purges; k++)
            {
                dropped += await Store.PurgeAsync(purged, CancellationToken.None);
            }

            return dropped;
        });
        var announcers = Enumerable.Range(0, Announcers).Select(task => Task.Run(async () =>
        {
            await start.Task;
            var buffer = new PeerEntry[50];
            for (var i = 0; i < perTask; i++)
            {
                var left = IsWorkloadSeeder(i) ? 0 : LeecherLeft;
                CheckSane(await Store.AnnounceAsync(Request(purged, WorkloadEndpoint(task, i), left), buffer, CancellationToken.None), impossible);
                CheckSane(await Store.AnnounceAsync(Request(kept, WorkloadEndpoint(task, i), left), buffer, CancellationToken.None), impossible);
            }
        })).ToArray();
        start.SetResult();
        await Task.WhenAll(announcers);
        var droppedWhileAnnouncing = await purger;

        impossible[0].Should().Be(0, "no reply may hold negative counts or more peers than asked for");
        var remaining = await ScrapeOneAsync(purged);
        var droppedAtTheEnd = await Store.PurgeAsync(purged, CancellationToken.None);
        droppedAtTheEnd.Should().Be(remaining.Complete + remaining.Incomplete);
        (droppedWhileAnnouncing + droppedAtTheEnd).Should().Be(Announcers * perTask, "each peer announced once, so each is purged once or still there");
        (await ScrapeOneAsync(purged)).Should().Be(Counts(0, 0));
        var keptSeeders = Enumerable.Range(0, perTask).Count(IsWorkloadSeeder);
        (await ScrapeOneAsync(kept)).Should().Be(Counts(Announcers * keptSeeders, Announcers * (perTask - keptSeeders)));
        return Announcers * perTask;
    }

    // Task number in the high bits, peer number (below 65 536) in the low ones.
    private static PeerEndpoint WorkloadEndpoint(int task, int i)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(i, ushort.MaxValue);
        return task % 2 == 0 ? V4((task << 16) | i) : V6((task << 16) | i);
    }

    private static bool IsWorkloadSeeder(int i) => i % 4 == 1;

    private static Task StartThread(Func<Task> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    // Counted rather than asserted: assertions belong on the test thread.
    private static void CheckSane(StoreAnnounceResult result, int[] impossible)
    {
        if (result.Complete < 0 || result.Incomplete < 0 || result.Downloaded < 0 || result.PeerCount < 0 || result.PeerCount > 50)
        {
            Interlocked.Increment(ref impossible[0]);
        }
    }
}
