using FediTracker.Core;
using FediTracker.Core.Swarms;
using FediTracker.Core.Tests.Swarms;
using FediTracker.Protocol;
using FediTracker.Storage.Redis.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using static FediTracker.Core.Tests.Swarms.TestPeers;

namespace FediTracker.Storage.Redis.Tests;

/// <summary>
/// The whole <see cref="SwarmStoreContract"/> against <see cref="RedisSwarmStore"/>, plus what only the Redis store
/// has (key layout, TTLs, revocation marker, several nodes, script cache), run by a subclass per Redis shape. One
/// Redis per fixture; tests never share a torrent (random info-hashes, or a key prefix of their own).
/// </summary>
public abstract class RedisSwarmStoreTestsBase : SwarmStoreContract
{
    private RedisDeployment? _redis;
    private string? _configuration;
    private IConnectionMultiplexer? _multiplexer;
    private ConnectionMultiplexer? _admin;

    /// <summary>The connection the stores under test share, built as the tracker builds it.</summary>
    protected IConnectionMultiplexer Multiplexer => _multiplexer ?? throw new InvalidOperationException("Redis is not running.");

    /// <summary>A second connection, with admin commands allowed, for looking at and meddling with Redis directly.</summary>
    protected IConnectionMultiplexer Admin => _admin ?? throw new InvalidOperationException("Redis is not running.");

    protected string Configuration => _configuration ?? throw new InvalidOperationException("Redis is not running.");

    // Loopback round trips: a few thousand peers per workload keep the suite quick and still race hard.
    protected override int ConcurrentPeersPerTask => 200;

    // The completed-download counter has its own 30-day TTL: a quiet torrent keeps its count.
    protected override bool DownloadCountOutlivesTheSwarm => true;

    /// <summary>Starts this fixture's Redis (standalone or cluster).</summary>
    protected abstract Task<RedisDeployment> StartRedisAsync();

    [OneTimeSetUp]
    public async Task StartRedis()
    {
        _redis = await StartRedisAsync();
        _configuration = _redis.Configuration;
        _multiplexer = await RedisConnectionFactory.ConnectAsync(Options());
        _admin = await ConnectionMultiplexer.ConnectAsync(_configuration + ",allowAdmin=true");
    }

    [OneTimeTearDown]
    public async Task StopRedis()
    {
        if (_multiplexer is not null)
        {
            await _multiplexer.DisposeAsync();
        }

        if (_admin is not null)
        {
            await _admin.DisposeAsync();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    protected override ISwarmStore CreateStore(FakeTimeProvider time, TimeSpan peerTimeout) =>
        new RedisSwarmStore(Multiplexer, Options(), time, peerTimeout);

    // The Redis store has no sweep: every script drops expired peers a bounded batch at a time and ignores the
    // rest, so "after expiry" is simply "after the clock moved". The expiry tests of the contract check exactly that.
    protected override ValueTask ExpireAsync(ISwarmStore store) => ValueTask.CompletedTask;

    protected RedisStoreOptions Options(string keyPrefix = "ft") => new()
    {
        Configuration = Configuration,
        KeyPrefix = keyPrefix,

        // Generous, so a busy test machine never turns into a false "unavailable"; the fault tests use the default.
        OperationTimeout = TimeSpan.FromSeconds(5),
    };

    protected IEnumerable<IServer> Primaries()
    {
        foreach (var endPoint in Admin.GetEndPoints())
        {
            var server = Admin.GetServer(endPoint);
            if (server.IsConnected && !server.IsReplica)
            {
                yield return server;
            }
        }
    }

    /// <summary>Every key in Redis matching a pattern, from every primary, with the primary that holds it.</summary>
    protected async Task<List<(string Key, IServer Server)>> KeysAsync(string pattern)
    {
        var found = new List<(string, IServer)>();
        foreach (var server in Primaries())
        {
            await foreach (var key in server.KeysAsync(pattern: pattern, pageSize: 1000))
            {
                found.Add((key.ToString(), server));
            }
        }

        return found;
    }

    protected static string UniquePrefix() => "t" + Guid.NewGuid().ToString("N")[..12];

    // ---------------------------------------------------------------- key layout and TTLs

    [Test]
    public async Task Every_key_of_a_torrent_carries_its_hash_tag_and_lives_in_one_slot()
    {
        var prefix = UniquePrefix();
        var store = new RedisSwarmStore(Multiplexer, Options(prefix), Time, PeerTimeout);
        var hash = NewInfoHash();
        await FileAsync(store, hash, V4(1), 0);
        await FileAsync(store, hash, V4(2), LeecherLeft);
        await FileAsync(store, hash, V6(1), 0);
        await FileAsync(store, hash, V6(2), LeecherLeft);
        await FileAsync(store, hash, V4(2), 0, AnnounceEvent.Completed);
        await FileAsync(store, hash, V4(3), LeecherLeft);
        await FileAsync(store, hash, V6(3), LeecherLeft);

        var keys = await KeysAsync(prefix + ":*");

        var tag = "{" + hash.ToHex() + "}";
        keys.Select(k => k.Key).Should().BeEquivalentTo(
            new[] { "p4", "i4", "p6", "i6", "dl" }.Select(suffix => $"{prefix}:{tag}:{suffix}"),
            "the store writes a peer set and a peer-id hash per family and the download count, and nothing else");
        keys.Should().OnlyContain(k => k.Key.Contains(tag, StringComparison.Ordinal));
        keys.Select(k => Admin.HashSlot(k.Key)).Distinct().Should().ContainSingle("one script must be able to touch them all");
        keys.Select(k => k.Server.EndPoint).Distinct().Should().ContainSingle();
    }

    [Test]
    public async Task Every_key_the_announce_writes_expires_by_itself_after_more_than_a_peer_timeout()
    {
        var hash = NewInfoHash();
        await FileAsync(Store, hash, V4(1), 0);
        await FileAsync(Store, hash, V4(2), LeecherLeft, AnnounceEvent.Started);
        await FileAsync(Store, hash, V6(1), 0);
        await FileAsync(Store, hash, V6(2), LeecherLeft);
        await FileAsync(Store, hash, V6(2), 0, AnnounceEvent.Completed);
        await FileAsync(Store, hash, V6(3), LeecherLeft);

        var keys = await KeysAsync("*{" + hash.ToHex() + "}*");

        keys.Should().HaveCount(5);
        var database = Admin.GetDatabase();
        foreach (var (key, _) in keys)
        {
            var ttl = await database.KeyTimeToLiveAsync(key);
            ttl.Should().NotBeNull($"{key} must expire by itself when the swarm is abandoned");
            if (key.EndsWith(":dl", StringComparison.Ordinal))
            {
                // The completed-download count outlives the swarm, but not forever.
                ttl!.Value.Should().BeGreaterThan(RedisSwarmStore.DownloadCountTtl - TimeSpan.FromMinutes(1)).And.BeLessThanOrEqualTo(RedisSwarmStore.DownloadCountTtl);
                continue;
            }

            ttl!.Value.Should().BeGreaterThan(PeerTimeout).And.BeLessThanOrEqualTo((2 * PeerTimeout) + RedisSwarmStore.MaxTtlMargin);
        }
    }

    [Test]
    public async Task Abandoned_swarm_vanishes_from_redis_by_ttl_alone()
    {
        // Real time here: a one-second peer timeout gives the keys a TTL of two seconds.
        var store = new RedisSwarmStore(Multiplexer, Options(), TimeProvider.System, TimeSpan.FromSeconds(1));
        var hash = NewInfoHash();
        await FileAsync(store, hash, V4(1), 0, AnnounceEvent.Completed);
        await FileAsync(store, hash, V6(1), LeecherLeft);
        (await KeysAsync("*{" + hash.ToHex() + "}*")).Should().NotBeEmpty();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        List<(string Key, IServer Server)> left;
        do
        {
            await Task.Delay(100);
            left = (await KeysAsync("*{" + hash.ToHex() + "}*")).Where(k => !k.Key.EndsWith(":dl", StringComparison.Ordinal)).ToList();
        }
        while (left.Count > 0 && DateTime.UtcNow < deadline);

        left.Should().BeEmpty("no node ever swept this swarm: its keys expired by themselves (all but the download count, which has a long TTL of its own)");
    }

    [Test]
    public async Task Expired_peers_are_dropped_a_bounded_batch_per_announce_while_counts_stay_exact()
    {
        var hash = NewInfoHash();
        var prefix = UniquePrefix();
        var store = new RedisSwarmStore(Multiplexer, Options(prefix), Time, PeerTimeout);
        for (var i = 0; i < 200; i++)
        {
            await FileAsync(store, hash, V4(1000 + i), LeecherLeft);
        }

        Time.Advance(PeerTimeout / 2);
        await FileAsync(store, hash, V4(1), LeecherLeft);
        Time.Advance((PeerTimeout / 2) + TimeSpan.FromSeconds(1));
        var leechers = new RedisKeys(prefix).Key(hash, RedisKeys.PeersV4);
        var database = Admin.GetDatabase();

        var first = await AnnounceWithAsync(store, Request(hash, V4(2), LeecherLeft));
        var storedAfterFirst = await database.SortedSetLengthAsync(leechers);
        var second = await AnnounceWithAsync(store, Request(hash, V4(3), LeecherLeft));
        var storedAfterSecond = await database.SortedSetLengthAsync(leechers);

        first.Result.Incomplete.Should().Be(2, "the 200 expired peers no longer count, swept or not");
        first.Peers.Select(p => p.Endpoint).Should().Equal([V4(1)]);
        storedAfterFirst.Should().Be(200 - RedisSwarmStore.SweepLimit + 2, "one announce drops at most one batch of expired peers");
        second.Result.Incomplete.Should().Be(3);
        storedAfterSecond.Should().Be(200 - (2 * RedisSwarmStore.SweepLimit) + 3);
        var scraped = new ScrapeEntry[1];
        await store.ScrapeAsync(new[] { hash }, scraped, CancellationToken.None);
        scraped[0].Should().Be(Counts(complete: 0, incomplete: 3));
    }

    [Test]
    public async Task Draws_skip_the_expired_peers_stored_between_leechers_and_seeders()
    {
        // One set per family holds leechers (lowest ranks), expired peers of both kinds, then seeders: every draw,
        // sampled or whole, must step over the expired run, which one announce only shortens by a batch.
        var hash = NewInfoHash();
        var seeders = (await AddPeersAsync(hash, count: 30, first: 1, left: 0)).Select(p => p.Endpoint).ToHashSet();
        var leechers = (await AddPeersAsync(hash, count: 30, first: 100, left: LeecherLeft)).Select(p => p.Endpoint).ToHashSet();

        // Expired seeders and leechers written straight into the set, more than the announces below can sweep.
        var stale = Time.GetUtcNow().ToUnixTimeSeconds() - (long)PeerTimeout.TotalSeconds - 10;
        var expired = new SortedSetEntry[5_000];
        for (var i = 0; i < expired.Length; i++)
        {
            var member = new byte[6 + 20];
            V4(10_000 + i).WriteCompact(member);
            expired[i] = new SortedSetEntry(member, i % 2 == 0 ? stale : -stale);
        }

        await Admin.GetDatabase().SortedSetAddAsync(new RedisKeys("ft").Key(hash, RedisKeys.PeersV4), expired);

        var seen = new HashSet<PeerEndpoint>();
        for (var i = 0; i < 30; i++)
        {
            var numWant = i % 3 == 0 ? 200 : 20;
            var reply = await AnnounceAsync(Request(hash, V4(100), LeecherLeft, numWant: numWant));
            reply.Result.Complete.Should().Be(30);
            reply.Result.Incomplete.Should().Be(30);
            reply.Peers.Should().HaveCount(Math.Min(numWant, 59));
            reply.Endpoints.Should().OnlyHaveUniqueItems().And.OnlyContain(e => (seeders.Contains(e) || leechers.Contains(e)) && e != V4(100));
            seen.UnionWith(reply.Endpoints);

            var fromSeeder = await AnnounceAsync(Request(hash, V4(1), 0, numWant: i % 2 == 0 ? 200 : 10));
            fromSeeder.Endpoints.Should().OnlyHaveUniqueItems().And.OnlyContain(e => leechers.Contains(e));
            fromSeeder.Peers.Should().HaveCount(i % 2 == 0 ? 30 : 10);
        }

        seen.Should().HaveCount(59, "every live peer but the announcer turns up");
        (await Admin.GetDatabase().SortedSetLengthAsync(new RedisKeys("ft").Key(hash, RedisKeys.PeersV4))).Should().BeGreaterThan(60, "expired peers were still stored at the end");
    }

    // ---------------------------------------------------------------- revocation marker

    [Test]
    public async Task Revocation_marker_refuses_an_announce_to_a_new_torrent_and_nothing_is_written()
    {
        var hash = NewInfoHash();
        var marker = new RedisKeys("ft").RevokedMarker(hash);
        await Admin.GetDatabase().StringSetAsync(marker, 1);

        foreach (var announceEvent in new[] { AnnounceEvent.Started, AnnounceEvent.None, AnnounceEvent.Completed, AnnounceEvent.Stopped })
        {
            var result = await Store.AnnounceAsync(Request(hash, V4(1), 0, announceEvent), new PeerEntry[50], CancellationToken.None);
            result.Should().Be(new StoreAnnounceResult(0, 0, 0, 0, StoreAnnounceStatus.Revoked));
        }

        (await KeysAsync("*{" + hash.ToHex() + "}*")).Select(k => k.Key).Should().Equal([marker], "a refused announce writes nothing");
        (await ScrapeOneAsync(hash)).Should().Be(Counts(0, 0));
    }

    [Test]
    public async Task Revocation_marker_refuses_announces_to_a_live_swarm_leaves_it_untouched_and_scrapes_as_zeros()
    {
        var hash = NewInfoHash();
        await AddPeersAsync(hash, count: 6, first: 1, seederEvery: 2);
        await AnnounceAsync(Request(hash, V4(2), 0, AnnounceEvent.Completed));
        var database = Admin.GetDatabase();
        var keys = new RedisKeys("ft");
        await database.StringSetAsync(keys.RevokedMarker(hash), 1);
        var before = await SnapshotAsync(hash);

        var newcomer = await Store.AnnounceAsync(Request(hash, V4(100), LeecherLeft, AnnounceEvent.Started), new PeerEntry[50], CancellationToken.None);
        var member = await Store.AnnounceAsync(Request(hash, V4(3), 0, AnnounceEvent.Completed), new PeerEntry[50], CancellationToken.None);
        var leaving = await Store.AnnounceAsync(Request(hash, V4(1), 0, AnnounceEvent.Stopped), new PeerEntry[50], CancellationToken.None);
        new[] { newcomer, member, leaving }.Select(r => r.Status).Should().AllBeEquivalentTo(StoreAnnounceStatus.Revoked);

        (await SnapshotAsync(hash)).Should().Be(before, "the refused announces changed nothing");
        before.Should().Contain("s4=4").And.Contain("l4=2").And.Contain("dl=1");
        (await ScrapeOneAsync(hash)).Should().Be(Counts(0, 0), "a revoked torrent scrapes as unknown");

        (await Store.PurgeAsync(hash, CancellationToken.None)).Should().Be(6);
        (await KeysAsync("*{" + hash.ToHex() + "}*")).Select(k => k.Key).Should().Equal([keys.RevokedMarker(hash)], "purge keeps the marker");
    }

    [Test]
    public async Task Purge_deletes_every_key_of_the_swarm()
    {
        var hash = NewInfoHash();
        await AddPeersAsync(hash, count: 4, first: 1, seederEvery: 2);
        await AddPeersAsync(hash, count: 3, first: 1, ipv6: true);
        await AnnounceAsync(Request(hash, V6(1), 0, AnnounceEvent.Completed));

        (await Store.PurgeAsync(hash, CancellationToken.None)).Should().Be(7);

        (await KeysAsync("*{" + hash.ToHex() + "}*")).Should().BeEmpty("no peer address, peer id or count of the swarm is kept");
    }

    [Test]
    public async Task Block_leaves_only_a_marker_without_ttl_and_unblock_deletes_it()
    {
        var hash = NewInfoHash();
        var marker = new RedisKeys("ft").RevokedMarker(hash);
        await AddPeersAsync(hash, count: 4, first: 1, seederEvery: 2);
        await AddPeersAsync(hash, count: 2, first: 1, ipv6: true);
        await AnnounceAsync(Request(hash, V6(1), 0, AnnounceEvent.Completed));

        (await Store.BlockAsync(hash, CancellationToken.None)).Should().Be(6);
        await Store.AnnounceAsync(Request(hash, V4(1), 0, AnnounceEvent.Started), new PeerEntry[50], CancellationToken.None);

        (await KeysAsync("*{" + hash.ToHex() + "}*")).Select(k => k.Key).Should().Equal([marker], "no peer address, peer id or count outlives the block");
        (await Admin.GetDatabase().KeyTimeToLiveAsync(marker)).Should().BeNull("a block must not expire by itself: only a restore lifts it");

        await Store.UnblockAsync(hash, CancellationToken.None);

        (await KeysAsync("*{" + hash.ToHex() + "}*")).Should().BeEmpty();
    }

    [Test]
    public async Task Block_through_one_node_refuses_announces_through_another()
    {
        await using var second = await RedisConnectionFactory.ConnectAsync(Options());
        var other = new RedisSwarmStore(second, Options(), Time, PeerTimeout);
        var hash = NewInfoHash();
        await AddPeersAsync(hash, count: 3, first: 1);

        (await other.BlockAsync(hash, CancellationToken.None)).Should().Be(3);

        (await AnnounceAsync(Request(hash, V4(1), LeecherLeft))).Result.Status.Should().Be(StoreAnnounceStatus.Revoked);
        await other.UnblockAsync(hash, CancellationToken.None);
        (await AnnounceAsync(Request(hash, V4(1), LeecherLeft))).Result.Should().Be(new StoreAnnounceResult(0, 0, 1, 0));
    }

    // ---------------------------------------------------------------- several nodes

    [Test]
    public async Task Peer_announced_through_one_node_is_handed_out_by_another()
    {
        await using var second = await RedisConnectionFactory.ConnectAsync(Options());
        var other = new RedisSwarmStore(second, Options(), Time, PeerTimeout);
        var hash = NewInfoHash();
        var id = PeerId.Read("-qB5040-nodeAnodeA00"u8);
        await Store.AnnounceAsync(Request(hash, V4(1), 0, AnnounceEvent.Started, peerId: id), new PeerEntry[50], CancellationToken.None);

        var reply = await AnnounceWithAsync(other, Request(hash, V4(2), LeecherLeft, AnnounceEvent.Started));
        var back = await AnnounceAsync(Request(hash, V4(3), LeecherLeft));

        reply.Peers.Should().Equal([new PeerEntry(V4(1), id)]);
        reply.Result.Should().Be(new StoreAnnounceResult(1, 1, 1, 0));
        back.Endpoints.Should().BeEquivalentTo([V4(1), V4(2)]);
    }

    [Test]
    public async Task Two_nodes_hammering_one_swarm_end_with_exact_counts_that_were_never_negative()
    {
        const int TasksPerNode = 2;
        const int PeersPerTask = 150;
        await using var second = await RedisConnectionFactory.ConnectAsync(Options());
        ISwarmStore[] nodes = [Store, new RedisSwarmStore(second, Options(), Time, PeerTimeout)];
        var hash = NewInfoHash();
        var impossible = 0;
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        static PeerEndpoint Endpoint(int task, int i) => task % 2 == 0 ? V4((task << 16) | i) : V6((task << 16) | i);
        static long Left(int i) => i % 3 == 0 ? 0 : LeecherLeft;

        var workers = Enumerable.Range(0, nodes.Length * TasksPerNode).Select(task => Task.Run(async () =>
        {
            await start.Task;
            var node = nodes[task % nodes.Length];
            var buffer = new PeerEntry[50];
            for (var i = 0; i < PeersPerTask; i++)
            {
                Check(await node.AnnounceAsync(Request(hash, Endpoint(task, i), Left(i), AnnounceEvent.Started), buffer, CancellationToken.None));
                if (i % 2 == 1)
                {
                    Check(await node.AnnounceAsync(Request(hash, Endpoint(task, i - 1), Left(i - 1), AnnounceEvent.Stopped), buffer, CancellationToken.None));
                }

                if (i % 5 == 0)
                {
                    // Completions from whichever node, twice: counted once per leecher that finishes.
                    var completing = nodes[(task + i) % nodes.Length];
                    Check(await completing.AnnounceAsync(Request(hash, Endpoint(task, i), 0, AnnounceEvent.Completed), buffer, CancellationToken.None));
                    Check(await completing.AnnounceAsync(Request(hash, Endpoint(task, i), 0, AnnounceEvent.Completed), buffer, CancellationToken.None));
                }
            }
        })).ToArray();
        start.SetResult();
        await Task.WhenAll(workers);

        // Kept: the odd-numbered peers (each even one is stopped by the next). Seeders: i % 3 == 0 or completed
        // (i % 5 == 0). Downloads: every completion from a leecher, stopped later or not.
        int complete = 0, incomplete = 0, downloads = 0;
        for (var i = 0; i < PeersPerTask; i++)
        {
            if (i % 5 == 0 && i % 3 != 0)
            {
                downloads++;
            }

            if (i % 2 == 0)
            {
                continue;
            }

            if (i % 3 == 0 || i % 5 == 0)
            {
                complete++;
            }
            else
            {
                incomplete++;
            }
        }

        var tasks = nodes.Length * TasksPerNode;
        var expected = Counts(tasks * complete, tasks * incomplete, tasks * downloads);
        Volatile.Read(ref impossible).Should().Be(0, "no reply on any node may hold a negative count or too many peers");
        foreach (var node in nodes)
        {
            var results = new ScrapeEntry[1];
            await node.ScrapeAsync(new[] { hash }, results, CancellationToken.None);
            results[0].Should().Be(expected);
        }

        void Check(StoreAnnounceResult result)
        {
            if (result.Complete < 0 || result.Incomplete < 0 || result.Downloaded < 0 || result.PeerCount is < 0 or > 50
                || result.Complete + result.Incomplete > nodes.Length * TasksPerNode * PeersPerTask)
            {
                Interlocked.Increment(ref impossible);
            }
        }
    }

    // ---------------------------------------------------------------- census (cluster-wide gauges)

    [Test]
    public async Task Census_counts_the_live_peers_of_every_torrent_once_on_every_primary()
    {
        var prefix = UniquePrefix();
        var store = new RedisSwarmStore(Multiplexer, Options(prefix), Time, PeerTimeout);
        var census = new RedisSwarmCensus(Multiplexer, Options(prefix), Time, PeerTimeout, maxKeys: 1_000_000);
        long seeders = 0, leechers = 0;
        for (var t = 0; t < 30; t++)
        {
            // Torrents with sets of every kind and family, and some with only one set, so each is met more than
            // once by the SCAN and must be counted once.
            var hash = NewInfoHash();
            for (var p = 0; p <= t % 5; p++)
            {
                var endpoint = (p % 2 == 0) ? V4(p + 1) : V6(p + 1);
                var seeder = (t + p) % 3 == 0;
                await FileAsync(store, hash, endpoint, seeder ? 0 : LeecherLeft);
                _ = seeder ? seeders++ : leechers++;
            }
        }

        (await census.RunAsync(CancellationToken.None)).Should().BeTrue();

        census.GetTotals().Should().Be(new Core.Diagnostics.SwarmTotals(30, seeders, leechers));
        census.LastCompleted.Should().Be(Time.GetUtcNow());
        (await KeysAsync(prefix + ":*")).Select(k => k.Server.EndPoint).Distinct().Count().Should().Be(Primaries().Count(), "the torrents are spread over every primary");
    }

    [Test]
    public async Task Census_leaves_out_expired_peers_revoked_torrents_and_registry_keys()
    {
        var prefix = UniquePrefix();
        var store = new RedisSwarmStore(Multiplexer, Options(prefix), Time, PeerTimeout);
        var census = new RedisSwarmCensus(Multiplexer, Options(prefix), Time, PeerTimeout, maxKeys: 1_000_000);
        var database = Admin.GetDatabase();
        var keys = new RedisKeys(prefix);

        var stale = NewInfoHash();
        await FileAsync(store, stale, V4(1), 0);
        await FileAsync(store, stale, V6(1), LeecherLeft);
        var mixed = NewInfoHash();
        await FileAsync(store, mixed, V4(1), LeecherLeft);
        Time.Advance(PeerTimeout + TimeSpan.FromSeconds(1));
        await FileAsync(store, mixed, V4(2), 0);
        await FileAsync(store, mixed, V6(2), LeecherLeft);

        // Revoked with its swarm still stored (a marker written over a live swarm), and blocked by the store.
        var marked = NewInfoHash();
        await FileAsync(store, marked, V4(1), 0);
        await database.StringSetAsync(keys.RevokedMarker(marked), 1);
        var blocked = NewInfoHash();
        await FileAsync(store, blocked, V4(1), LeecherLeft);
        await store.BlockAsync(blocked, CancellationToken.None);

        // Registry keys that look like a peer set but carry the {reg} hash tag.
        await database.SortedSetAddAsync(keys.RegistryStem + "p4", "x", Time.GetUtcNow().ToUnixTimeSeconds());

        (await census.RunAsync(CancellationToken.None)).Should().BeTrue();

        census.GetTotals().Should().Be(new Core.Diagnostics.SwarmTotals(1, 1, 1), "only the mixed torrent's two live peers count");
    }

    [Test]
    public async Task Census_stops_at_its_cap_of_keys()
    {
        var prefix = UniquePrefix();
        var store = new RedisSwarmStore(Multiplexer, Options(prefix), Time, PeerTimeout);
        for (var t = 0; t < 20; t++)
        {
            await FileAsync(store, NewInfoHash(), V4(1), LeecherLeft);
        }

        var census = new RedisSwarmCensus(Multiplexer, Options(prefix), Time, PeerTimeout, maxKeys: 5);

        (await census.RunAsync(CancellationToken.None)).Should().BeTrue();

        census.GetTotals().Torrents.Should().BeInRange(1, 5);
    }

    // ---------------------------------------------------------------- script cache and health

    [Test]
    public async Task Script_cache_lost_on_the_server_is_loaded_again_without_a_failure()
    {
        var hash = NewInfoHash();
        await AddPeerAsync(hash, V4(1), 0);
        foreach (var server in Primaries())
        {
            await server.ScriptFlushAsync();
        }

        var reply = await AnnounceAsync(Request(hash, V4(2), LeecherLeft));
        foreach (var server in Primaries())
        {
            await server.ScriptFlushAsync();
        }

        var scraped = await ScrapeAsync(hash, NewInfoHash());
        foreach (var server in Primaries())
        {
            await server.ScriptFlushAsync();
        }

        var purged = await Store.PurgeAsync(hash, CancellationToken.None);

        reply.Endpoints.Should().Equal([V4(1)]);
        scraped.Should().Equal(Counts(1, 1), Counts(0, 0));
        purged.Should().Be(2);
    }

    [Test]
    public async Task Store_reports_healthy_while_redis_answers()
    {
        var store = new RedisSwarmStore(Multiplexer, Options(), Time, PeerTimeout);

        (await store.IsHealthyAsync()).Should().BeTrue();
    }

    // ---------------------------------------------------------------- helpers

    private static async Task FileAsync(ISwarmStore store, InfoHash hash, PeerEndpoint endpoint, long left, AnnounceEvent announceEvent = AnnounceEvent.None) =>
        await store.AnnounceAsync(Request(hash, endpoint, left, announceEvent, numWant: 0), new PeerEntry[1], CancellationToken.None);

    private static async Task<AnnounceReply> AnnounceWithAsync(RedisSwarmStore store, AnnounceRequest request)
    {
        var buffer = new PeerEntry[200];
        var result = await store.AnnounceAsync(request, buffer, CancellationToken.None);
        return new AnnounceReply(result, buffer[..result.PeerCount]);
    }

    // Every key of the torrent with its size, as one line: to show that nothing changed.
    private async Task<string> SnapshotAsync(InfoHash hash)
    {
        var keys = new RedisKeys("ft");
        var database = Admin.GetDatabase();
        var parts = new List<string>
        {
            "p4=" + await database.SortedSetLengthAsync(keys.Key(hash, RedisKeys.PeersV4)),
            "i4=" + await database.HashLengthAsync(keys.Key(hash, RedisKeys.IdsV4)),
            "p6=" + await database.SortedSetLengthAsync(keys.Key(hash, RedisKeys.PeersV6)),
            "i6=" + await database.HashLengthAsync(keys.Key(hash, RedisKeys.IdsV6)),
            "dl=" + await database.StringGetAsync(keys.Key(hash, RedisKeys.Downloads)),
        };
        var entries = await database.SortedSetRangeByRankWithScoresAsync(keys.Key(hash, RedisKeys.PeersV4));

        // Seeders score +t, leechers -t.
        parts.Add("s4=" + entries.Count(e => e.Score > 0));
        parts.Add("l4=" + entries.Count(e => e.Score < 0));
        foreach (var entry in entries)
        {
            parts.Add(Convert.ToHexString((byte[])entry.Element!) + "@" + entry.Score);
        }

        return string.Join(' ', parts);
    }
}
