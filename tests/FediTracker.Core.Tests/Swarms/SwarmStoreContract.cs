using FediTracker.Core.Swarms;
using FediTracker.Protocol;
using Microsoft.Extensions.Time.Testing;
using static FediTracker.Core.Tests.Swarms.TestPeers;

namespace FediTracker.Core.Tests.Swarms;

/// <summary>
/// The behaviour every <see cref="ISwarmStore"/> must show, written once and run against each store by a subclass
/// (<see cref="MemorySwarmStoreTests"/>, later the Redis store). It talks to the store only through
/// <see cref="ISwarmStore"/> and the hooks below, and assumes nothing about how a store keeps its data: each test
/// uses fresh random info-hashes, and time moves only through the <see cref="FakeTimeProvider"/> handed to
/// <see cref="CreateStore"/>.
/// </summary>
public abstract partial class SwarmStoreContract
{
    /// <summary>The peer timeout every store under test is built with.</summary>
    protected static readonly TimeSpan PeerTimeout = TimeSpan.FromMinutes(30);

    // Written into every reply buffer first, so a store that writes past what it reports is caught.
    private static readonly PeerEntry Sentinel = new(
        new PeerEndpoint(PeerAddress.FromIPv4(0xFFFF_FFFFu), 1),
        PeerId.Read([.. Enumerable.Repeat((byte)0xEE, Bytes20.Length)]));

    private FakeTimeProvider? _time;
    private ISwarmStore? _store;

    protected FakeTimeProvider Time => _time ?? throw new InvalidOperationException("No test is running.");

    protected ISwarmStore Store => _store ?? throw new InvalidOperationException("No test is running.");

    /// <summary>Distinct peers each concurrent task files (1 to 65 535); a store behind a network may lower it.</summary>
    protected virtual int ConcurrentPeersPerTask => 2_000;

    /// <summary>
    /// Whether a torrent's completed-download count survives its swarm expiring (the Redis store keeps it, with a long
    /// TTL of its own; the memory store drops it with the swarm).
    /// </summary>
    protected virtual bool DownloadCountOutlivesTheSwarm => false;

    /// <summary>A new, empty store whose clock is <paramref name="time"/> and whose peers expire after <paramref name="peerTimeout"/>.</summary>
    protected abstract ISwarmStore CreateStore(FakeTimeProvider time, TimeSpan peerTimeout);

    /// <summary>Runs the store's expiry once, as its background sweep would, at the fake clock's current time.</summary>
    protected abstract ValueTask ExpireAsync(ISwarmStore store);

    /// <summary>Releases a store after a test; disposes it when it is disposable.</summary>
    protected virtual async ValueTask DisposeStoreAsync(ISwarmStore store)
    {
        switch (store)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    [SetUp]
    public void CreateStoreForTest()
    {
        _time = new FakeTimeProvider();
        _store = CreateStore(_time, PeerTimeout);
    }

    [TearDown]
    public async Task DisposeStoreForTest()
    {
        if (_store is not null)
        {
            await DisposeStoreAsync(_store);
            _store = null;
        }
    }

    // ---------------------------------------------------------------- counting

    [Test]
    public async Task New_leecher_is_counted_as_incomplete()
    {
        var hash = NewInfoHash();

        var reply = await AnnounceAsync(Request(hash, V4(1), LeecherLeft));

        reply.Result.Should().Be(new StoreAnnounceResult(0, 0, 1, 0));
        (await ScrapeOneAsync(hash)).Should().Be(Counts(complete: 0, incomplete: 1));
    }

    [Test]
    public async Task New_seeder_is_counted_as_complete()
    {
        var hash = NewInfoHash();

        var reply = await AnnounceAsync(Request(hash, V4(1), left: 0, AnnounceEvent.Started));

        reply.Result.Should().Be(new StoreAnnounceResult(0, 1, 0, 0));
        (await ScrapeOneAsync(hash)).Should().Be(Counts(complete: 1, incomplete: 0));
    }

    [Test]
    public async Task Reannouncing_the_same_endpoint_updates_the_peer_rather_than_adding_one()
    {
        var hash = NewInfoHash();
        var leecher = V4(1);
        var seeder = V4(2);
        await AnnounceAsync(Request(hash, leecher, LeecherLeft, AnnounceEvent.Started));
        await AnnounceAsync(Request(hash, seeder, 0, AnnounceEvent.Started));

        for (var i = 0; i < 3; i++)
        {
            var again = await AnnounceAsync(Request(hash, leecher, LeecherLeft - ((i + 1) * 1000)));
            again.Result.Complete.Should().Be(1);
            again.Result.Incomplete.Should().Be(1);
            (await AnnounceAsync(Request(hash, seeder, 0))).Result.Complete.Should().Be(1);
        }

        (await ScrapeOneAsync(hash)).Should().Be(Counts(complete: 1, incomplete: 1));
        var other = await AnnounceAsync(Request(hash, V4(3), LeecherLeft));
        other.Endpoints.Should().BeEquivalentTo([leecher, seeder], "each endpoint is one peer, however often it announced");
    }

    [Test]
    public async Task Leecher_that_becomes_a_seeder_moves_from_incomplete_to_complete()
    {
        var hash = NewInfoHash();
        var finisher = V4(1);
        var leecher = V4(2);
        await AnnounceAsync(Request(hash, finisher, LeecherLeft, AnnounceEvent.Started));
        await AnnounceAsync(Request(hash, leecher, LeecherLeft, AnnounceEvent.Started));

        var reply = await AnnounceAsync(Request(hash, finisher, left: 0));

        reply.Result.Complete.Should().Be(1);
        reply.Result.Incomplete.Should().Be(1);
        reply.Endpoints.Should().Equal([leecher], "now a seeder, it gets leechers only");
        (await ScrapeOneAsync(hash)).Should().Be(Counts(complete: 1, incomplete: 1));
        (await AnnounceAsync(Request(hash, leecher, LeecherLeft))).Endpoints.Should().Equal([finisher]);
    }

    [Test]
    public async Task Seeder_that_has_data_left_again_moves_back_to_incomplete()
    {
        var hash = NewInfoHash();
        var peer = V4(1);
        await AnnounceAsync(Request(hash, peer, 0, AnnounceEvent.Started));

        var reply = await AnnounceAsync(Request(hash, peer, LeecherLeft));

        reply.Result.Complete.Should().Be(0);
        reply.Result.Incomplete.Should().Be(1);
        (await ScrapeOneAsync(hash)).Should().Be(Counts(complete: 0, incomplete: 1));
    }

    [Test]
    public async Task Paused_peer_is_filed_with_the_seeders_and_gets_leechers_only()
    {
        var hash = NewInfoHash();
        var seeder = V4(1);
        var leecher = V4(2);
        var paused = V4(3);
        await AddPeerAsync(hash, seeder, 0);
        await AddPeerAsync(hash, leecher, LeecherLeft);

        var reply = await AnnounceAsync(Request(hash, paused, LeecherLeft, AnnounceEvent.Paused));

        reply.Result.Complete.Should().Be(2, "BEP 21: a paused (upload-only) peer counts as a seeder");
        reply.Result.Incomplete.Should().Be(1);
        reply.Endpoints.Should().Equal([leecher]);
    }

    // ---------------------------------------------------------------- keying and peer ids

    [Test]
    public async Task Same_ip_with_another_port_is_another_peer()
    {
        var hash = NewInfoHash();
        var first = V4(1, port: 6881);
        var second = V4(1, port: 6882);
        await AddPeerAsync(hash, first, LeecherLeft);

        var reply = await AnnounceAsync(Request(hash, second, LeecherLeft));

        reply.Result.Incomplete.Should().Be(2);
        reply.Endpoints.Should().Equal([first]);
        (await AnnounceAsync(Request(hash, V4(2), LeecherLeft))).Endpoints.Should().BeEquivalentTo([first, second]);
        await AnnounceAsync(Request(hash, first, LeecherLeft, AnnounceEvent.Stopped));
        (await ScrapeOneAsync(hash)).Should().Be(Counts(complete: 0, incomplete: 2), "only the stopped port went away");
    }

    [Test]
    public async Task Same_port_on_another_ip_is_another_peer()
    {
        var hash = NewInfoHash();
        await AddPeerAsync(hash, V4(1, port: 6881), LeecherLeft);

        var reply = await AnnounceAsync(Request(hash, V4(2, port: 6881), LeecherLeft));

        reply.Result.Incomplete.Should().Be(2);
        reply.Endpoints.Should().Equal([V4(1, port: 6881)]);
    }

    [Test]
    public async Task Peer_id_is_returned_with_each_peer()
    {
        var hash = NewInfoHash();
        var seeder = V4(1);
        var id = PeerId.Read("-qB5040-abcdefghijkl"u8);
        await AnnounceAsync(Request(hash, seeder, 0, AnnounceEvent.Started, peerId: id));
        await AddPeerAsync(hash, V6(1), 0);

        var reply = await AnnounceAsync(Request(hash, V4(2), LeecherLeft));
        var reply6 = await AnnounceAsync(Request(hash, V6(2), LeecherLeft));

        reply.Peers.Should().Equal([new PeerEntry(seeder, id)]);
        reply6.Peers.Should().Equal([new PeerEntry(V6(1), IdFor(V6(1)))]);
    }

    [Test]
    public async Task Peer_id_is_updated_on_reannounce()
    {
        var hash = NewInfoHash();
        var seeder = V4(1);
        await AnnounceAsync(Request(hash, seeder, 0, AnnounceEvent.Started, peerId: IdFor(seeder, version: 1)));
        var leecher = V4(2);
        await AddPeerAsync(hash, leecher, LeecherLeft);

        var again = await AnnounceAsync(Request(hash, seeder, 0, peerId: IdFor(seeder, version: 2)));

        again.Result.Complete.Should().Be(1);
        again.Result.Incomplete.Should().Be(1);
        (await AnnounceAsync(Request(hash, leecher, LeecherLeft))).Peers
            .Should().Equal([new PeerEntry(seeder, IdFor(seeder, version: 2))], "the latest peer id is the one kept");
    }

    // ---------------------------------------------------------------- who gets whom

    [Test]
    public async Task Announcing_peer_alone_in_its_swarm_gets_nobody()
    {
        var hash = NewInfoHash();

        (await AnnounceAsync(Request(hash, V4(1), LeecherLeft, AnnounceEvent.Started))).Peers.Should().BeEmpty();
        (await AnnounceAsync(Request(hash, V4(1), LeecherLeft))).Peers.Should().BeEmpty("it must not get itself back");
        (await AnnounceAsync(Request(hash, V4(1), 0))).Peers.Should().BeEmpty();
    }

    [Test]
    public async Task Announcing_peer_never_gets_itself_back()
    {
        var hash = NewInfoHash();
        var peers = await AddPeersAsync(hash, count: 100, first: 1, seederEvery: 3);

        // Both ways of answering: every other peer (numwant above the swarm) and a sample (numwant below it).
        foreach (var numWant in new[] { 200, 10 })
        {
            for (var round = 0; round < 10; round++)
            {
                foreach (var peer in peers.Take(20))
                {
                    var left = peer.Seeder ? 0 : LeecherLeft;
                    var reply = await AnnounceAsync(Request(hash, peer.Endpoint, left, numWant: numWant));
                    reply.Endpoints.Should().NotContain(peer.Endpoint);
                }
            }
        }
    }

    [Test]
    public async Task Leecher_gets_seeders_and_leechers()
    {
        var hash = NewInfoHash();
        var seeders = await AddPeersAsync(hash, count: 5, first: 1, left: 0);
        var leechers = await AddPeersAsync(hash, count: 5, first: 11, left: LeecherLeft);
        var everyone = seeders.Concat(leechers).Select(p => p.Endpoint).ToArray();

        var newcomer = await AnnounceAsync(Request(hash, V4(100), LeecherLeft, AnnounceEvent.Started));
        var member = await AnnounceAsync(Request(hash, leechers[0].Endpoint, LeecherLeft));

        newcomer.Endpoints.Should().BeEquivalentTo(everyone);
        newcomer.Peers.Should().OnlyContain(p => p.PeerId == IdFor(p.Endpoint, 0));
        member.Endpoints.Should().BeEquivalentTo(everyone.Where(e => e != leechers[0].Endpoint).Append(V4(100)));
    }

    [Test]
    public async Task Seeder_gets_leechers_only()
    {
        var hash = NewInfoHash();
        var seeders = await AddPeersAsync(hash, count: 5, first: 1, left: 0);
        var leechers = await AddPeersAsync(hash, count: 5, first: 11, left: LeecherLeft);

        var newcomer = await AnnounceAsync(Request(hash, V4(100), 0, AnnounceEvent.Started));
        var member = await AnnounceAsync(Request(hash, seeders[0].Endpoint, 0));

        newcomer.Endpoints.Should().BeEquivalentTo(leechers.Select(p => p.Endpoint));
        member.Endpoints.Should().BeEquivalentTo(leechers.Select(p => p.Endpoint));
    }

    [Test]
    public async Task Seeder_among_seeders_only_gets_nobody()
    {
        var hash = NewInfoHash();
        await AddPeersAsync(hash, count: 10, first: 1, left: 0);

        var reply = await AnnounceAsync(Request(hash, V4(100), 0, AnnounceEvent.Started));

        reply.Peers.Should().BeEmpty();
        reply.Result.Complete.Should().Be(11);
    }

    [Test]
    public async Task Seeder_gets_leechers_only_when_the_reply_is_a_sample()
    {
        var hash = NewInfoHash();
        await AddPeersAsync(hash, count: 300, first: 1, left: 0);
        var leechers = (await AddPeersAsync(hash, count: 300, first: 1001, left: LeecherLeft)).Select(p => p.Endpoint).ToHashSet();

        for (var i = 0; i < 20; i++)
        {
            var reply = await AnnounceAsync(Request(hash, V4(5000), 0, numWant: 50));
            reply.Peers.Should().HaveCount(50);
            reply.Endpoints.Should().OnlyContain(e => leechers.Contains(e));
        }
    }

    [Test]
    public async Task Leecher_sample_draws_from_both_seeders_and_leechers()
    {
        var hash = NewInfoHash();
        var seeders = (await AddPeersAsync(hash, count: 300, first: 1, left: 0)).Select(p => p.Endpoint).ToHashSet();
        var leechers = (await AddPeersAsync(hash, count: 300, first: 1001, left: LeecherLeft)).Select(p => p.Endpoint).ToHashSet();

        var seen = new HashSet<PeerEndpoint>();
        for (var i = 0; i < 20; i++)
        {
            var reply = await AnnounceAsync(Request(hash, V4(5000), LeecherLeft, numWant: 50));
            reply.Peers.Should().HaveCount(50);
            seen.UnionWith(reply.Endpoints);
        }

        seen.Should().Contain(e => seeders.Contains(e));
        seen.Should().Contain(e => leechers.Contains(e));
        seen.Should().OnlyContain(e => seeders.Contains(e) || leechers.Contains(e));
    }

    // ---------------------------------------------------------------- numwant

    [TestCase(10, 200, 10)]
    [TestCase(50, 10, 10)]
    [TestCase(1, 1, 1)]
    [TestCase(99, 200, 99)]
    [TestCase(100, 100, 100)]
    [TestCase(150, 200, 100)]
    [TestCase(150, 120, 100)]
    public async Task Reply_holds_at_most_numwant_and_at_most_the_buffer(int numWant, int bufferLength, int expected)
    {
        var hash = NewInfoHash();
        var others = (await AddPeersAsync(hash, count: 100, first: 1, seederEvery: 4)).Select(p => p.Endpoint).ToHashSet();

        var reply = await AnnounceAsync(Request(hash, V4(1000), LeecherLeft, numWant: numWant), bufferLength);

        reply.Result.PeerCount.Should().Be(expected);
        reply.Endpoints.Should().OnlyHaveUniqueItems().And.OnlyContain(e => others.Contains(e));
    }

    [Test]
    public async Task Numwant_zero_returns_nobody_but_still_files_the_peer()
    {
        var hash = NewInfoHash();
        await AddPeersAsync(hash, count: 10, first: 1);

        var reply = await AnnounceAsync(Request(hash, V4(100), 0, AnnounceEvent.Started, numWant: 0));

        reply.Peers.Should().BeEmpty();
        reply.Result.Complete.Should().Be(1);
        reply.Result.Incomplete.Should().Be(10);
        (await AnnounceAsync(Request(hash, V4(1), LeecherLeft, numWant: 0))).Peers.Should().BeEmpty();
        (await AnnounceAsync(Request(hash, V4(1), LeecherLeft))).Endpoints.Should().Contain(V4(100));
    }

    [Test]
    public async Task Negative_numwant_or_empty_buffer_returns_nobody_but_still_files_the_peer()
    {
        var hash = NewInfoHash();
        await AddPeersAsync(hash, count: 10, first: 1);

        var negative = await AnnounceAsync(Request(hash, V4(100), LeecherLeft, numWant: -1));
        var noRoom = await AnnounceAsync(Request(hash, V4(101), LeecherLeft, numWant: 50), bufferLength: 0);

        negative.Peers.Should().BeEmpty();
        noRoom.Peers.Should().BeEmpty();
        (await ScrapeOneAsync(hash)).Should().Be(Counts(complete: 0, incomplete: 12));
    }

    // ---------------------------------------------------------------- random selection

    [Test]
    public async Task Sampled_replies_differ_between_announces()
    {
        var hash = NewInfoHash();
        await AddPeersAsync(hash, count: 1_000, first: 1, seederEvery: 2);

        var replies = new HashSet<string>();
        for (var i = 0; i < 20; i++)
        {
            var reply = await AnnounceAsync(Request(hash, V4(5000), LeecherLeft, numWant: 50));
            reply.Peers.Should().HaveCount(50);
            replies.Add(string.Join(',', reply.Endpoints.Select(e => e.ToString()).Order(StringComparer.Ordinal)));
        }

        replies.Count.Should().BeGreaterThanOrEqualTo(15, "20 random picks of 50 out of 1 000 peers should almost never repeat");
    }

    [Test]
    public async Task Every_peer_is_handed_out_sooner_or_later()
    {
        const int Population = 1_000;
        const int MaxAnnounces = 2_000; // about 150 are needed on average; missing one peer after 2 000 is ~e^-100
        var hash = NewInfoHash();
        var population = (await AddPeersAsync(hash, count: Population, first: 1, seederEvery: 2)).Select(p => p.Endpoint).ToHashSet();

        var seen = new HashSet<PeerEndpoint>();
        for (var i = 0; i < MaxAnnounces && seen.Count < Population; i++)
        {
            seen.UnionWith((await AnnounceAsync(Request(hash, V4(5000), LeecherLeft, numWant: 50))).Endpoints);
        }

        seen.Should().BeSubsetOf(population);
        seen.Should().HaveCount(Population, "random selection must reach every peer, not favour some");
    }

    [Test]
    public async Task Sampled_reply_has_no_duplicates()
    {
        var hash = NewInfoHash();
        await AddPeersAsync(hash, count: 1_000, first: 1, seederEvery: 3);

        for (var i = 0; i < 50; i++)
        {
            var numWant = i % 2 == 0 ? 200 : 999;
            var reply = await AnnounceAsync(Request(hash, V4(5000), LeecherLeft, numWant: numWant), bufferLength: 1_000);
            reply.Peers.Should().HaveCount(numWant);
            reply.Endpoints.Should().OnlyHaveUniqueItems();
        }
    }

    // ---------------------------------------------------------------- address families

    [Test]
    public async Task Ipv6_announcer_gets_only_ipv6_peers_and_ipv4_announcer_only_ipv4_peers()
    {
        var hash = NewInfoHash();
        var v4 = Enumerable.Range(1, 5).Select(n => V4(n)).ToArray();
        var v6 = Enumerable.Range(1, 5).Select(n => V6(n)).ToArray();
        foreach (var endpoint in v4.Concat(v6))
        {
            await AddPeerAsync(hash, endpoint, LeecherLeft);
        }

        var reply6 = await AnnounceAsync(Request(hash, V6(100), LeecherLeft));
        var reply4 = await AnnounceAsync(Request(hash, V4(100), LeecherLeft));

        reply6.Endpoints.Should().BeEquivalentTo(v6);
        reply4.Endpoints.Should().BeEquivalentTo(v4);
    }

    [Test]
    public async Task Ipv6_seeder_gets_only_ipv6_leechers()
    {
        var hash = NewInfoHash();
        await AddPeerAsync(hash, V4(1), 0);
        await AddPeerAsync(hash, V4(2), LeecherLeft);
        await AddPeerAsync(hash, V6(1), 0);
        await AddPeerAsync(hash, V6(2), LeecherLeft);

        var reply = await AnnounceAsync(Request(hash, V6(100), 0));

        reply.Endpoints.Should().Equal([V6(2)]);
    }

    [Test]
    public async Task Sampled_replies_keep_the_families_apart()
    {
        var hash = NewInfoHash();
        await AddPeersAsync(hash, count: 300, first: 1, seederEvery: 2);
        await AddPeersAsync(hash, count: 300, first: 1, seederEvery: 2, ipv6: true);

        for (var i = 0; i < 20; i++)
        {
            var reply6 = await AnnounceAsync(Request(hash, V6(5000), LeecherLeft, numWant: 50));
            var reply4 = await AnnounceAsync(Request(hash, V4(5000), LeecherLeft, numWant: 50));
            reply6.Peers.Should().HaveCount(50);
            reply4.Peers.Should().HaveCount(50);
            reply6.Endpoints.Should().OnlyContain(e => !e.IsIPv4);
            reply4.Endpoints.Should().OnlyContain(e => e.IsIPv4);
        }
    }

    [Test]
    public async Task Counts_cover_both_families()
    {
        var hash = NewInfoHash();
        await AddPeerAsync(hash, V4(1), 0);
        await AddPeerAsync(hash, V4(2), 0);
        await AddPeerAsync(hash, V4(3), LeecherLeft);
        await AddPeerAsync(hash, V6(1), 0);
        await AddPeerAsync(hash, V6(2), LeecherLeft);
        await AddPeerAsync(hash, V6(3), LeecherLeft);

        var reply = await AnnounceAsync(Request(hash, V6(4), LeecherLeft));

        reply.Result.Complete.Should().Be(3);
        reply.Result.Incomplete.Should().Be(4);
        (await ScrapeOneAsync(hash)).Should().Be(Counts(complete: 3, incomplete: 4));
    }

    // ---------------------------------------------------------------- stopped

    [Test]
    public async Task Stopped_removes_the_peer_and_the_counts_drop()
    {
        var hash = NewInfoHash();
        await AddPeerAsync(hash, V4(1), 0);
        await AddPeerAsync(hash, V4(2), LeecherLeft);
        await AddPeerAsync(hash, V6(3), LeecherLeft);

        var leecherGone = await AnnounceAsync(Request(hash, V4(2), LeecherLeft, AnnounceEvent.Stopped));
        leecherGone.Result.Should().Be(new StoreAnnounceResult(0, 1, 1, 0));
        var seederGone = await AnnounceAsync(Request(hash, V4(1), 0, AnnounceEvent.Stopped));
        seederGone.Result.Should().Be(new StoreAnnounceResult(0, 0, 1, 0));
        var v6Gone = await AnnounceAsync(Request(hash, V6(3), LeecherLeft, AnnounceEvent.Stopped));
        v6Gone.Result.Should().Be(new StoreAnnounceResult(0, 0, 0, 0));

        (await ScrapeOneAsync(hash)).Should().Be(Counts(complete: 0, incomplete: 0));
    }

    [Test]
    public async Task Stopped_announce_returns_no_peers()
    {
        var hash = NewInfoHash();
        await AddPeersAsync(hash, count: 20, first: 1, seederEvery: 2);

        var reply = await AnnounceAsync(Request(hash, V4(2), LeecherLeft, AnnounceEvent.Stopped, numWant: 50));

        reply.Peers.Should().BeEmpty();
        reply.Result.PeerCount.Should().Be(0);
        reply.Result.Complete.Should().Be(10);
        reply.Result.Incomplete.Should().Be(9);
    }

    [Test]
    public async Task Stopped_peer_is_no_longer_handed_out()
    {
        var hash = NewInfoHash();
        await AddPeerAsync(hash, V4(1), LeecherLeft);
        await AddPeerAsync(hash, V4(2), LeecherLeft);

        await AnnounceAsync(Request(hash, V4(1), LeecherLeft, AnnounceEvent.Stopped));

        (await AnnounceAsync(Request(hash, V4(3), LeecherLeft))).Endpoints.Should().Equal([V4(2)]);
    }

    [Test]
    public async Task Stopping_an_unknown_peer_is_harmless()
    {
        var hash = NewInfoHash();
        await AddPeerAsync(hash, V4(1), 0);
        await AddPeerAsync(hash, V4(2), LeecherLeft);

        var unknown4 = await AnnounceAsync(Request(hash, V4(99), LeecherLeft, AnnounceEvent.Stopped));
        var unknown6 = await AnnounceAsync(Request(hash, V6(99), LeecherLeft, AnnounceEvent.Stopped));
        var otherPort = await AnnounceAsync(Request(hash, V4(1, port: 1), 0, AnnounceEvent.Stopped));

        foreach (var reply in new[] { unknown4, unknown6, otherPort })
        {
            reply.Result.Should().Be(new StoreAnnounceResult(0, 1, 1, 0));
        }

        (await ScrapeOneAsync(hash)).Should().Be(Counts(complete: 1, incomplete: 1));
    }

    [Test]
    public async Task Stopping_twice_is_harmless()
    {
        var hash = NewInfoHash();
        await AddPeerAsync(hash, V4(1), LeecherLeft);
        await AddPeerAsync(hash, V4(2), LeecherLeft);

        await AnnounceAsync(Request(hash, V4(1), LeecherLeft, AnnounceEvent.Stopped));
        var again = await AnnounceAsync(Request(hash, V4(1), LeecherLeft, AnnounceEvent.Stopped));

        again.Result.Should().Be(new StoreAnnounceResult(0, 0, 1, 0));
        (await ScrapeOneAsync(hash)).Should().Be(Counts(complete: 0, incomplete: 1));
    }

    [Test]
    public async Task Stopping_in_an_unknown_swarm_is_harmless_and_creates_nothing()
    {
        var hash = NewInfoHash();

        var reply = await AnnounceAsync(Request(hash, V4(1), LeecherLeft, AnnounceEvent.Stopped));

        reply.Result.Should().Be(new StoreAnnounceResult(0, 0, 0, 0));
        (await ScrapeOneAsync(hash)).Should().Be(Counts(complete: 0, incomplete: 0));
        (await AnnounceAsync(Request(hash, V4(2), LeecherLeft))).Result.Should().Be(new StoreAnnounceResult(0, 0, 1, 0));
    }

    [Test]
    public async Task Stopped_peer_that_starts_again_is_counted_once()
    {
        var hash = NewInfoHash();
        await AddPeerAsync(hash, V4(1), LeecherLeft);
        await AnnounceAsync(Request(hash, V4(1), LeecherLeft, AnnounceEvent.Stopped));

        var reply = await AnnounceAsync(Request(hash, V4(1), LeecherLeft, AnnounceEvent.Started));

        reply.Result.Incomplete.Should().Be(1);
    }

    // ---------------------------------------------------------------- completed

    [Test]
    public async Task Completed_from_a_leecher_counts_one_download()
    {
        var hash = NewInfoHash();
        await AddPeerAsync(hash, V4(1), LeecherLeft);

        var reply = await AnnounceAsync(Request(hash, V4(1), 0, AnnounceEvent.Completed));

        reply.Result.Should().Be(new StoreAnnounceResult(0, 1, 0, 1));
        (await ScrapeOneAsync(hash)).Should().Be(Counts(complete: 1, incomplete: 0, downloaded: 1));
    }

    [Test]
    public async Task Completed_sent_again_by_the_same_peer_is_not_counted_again()
    {
        var hash = NewInfoHash();
        await AddPeerAsync(hash, V4(1), LeecherLeft);
        await AnnounceAsync(Request(hash, V4(1), 0, AnnounceEvent.Completed));

        var again = await AnnounceAsync(Request(hash, V4(1), 0, AnnounceEvent.Completed));

        again.Result.Downloaded.Should().Be(1);
        (await ScrapeOneAsync(hash)).Downloaded.Should().Be(1);
    }

    [Test]
    public async Task Completed_with_data_still_left_is_not_counted()
    {
        var hash = NewInfoHash();
        await AnnounceAsync(Request(hash, V4(1), 100, AnnounceEvent.Started));

        var reply = await AnnounceAsync(Request(hash, V4(1), 40, AnnounceEvent.Completed));
        reply.Result.Downloaded.Should().Be(0, "a peer with bytes left has not completed");
        reply.Result.Incomplete.Should().Be(1);

        reply = await AnnounceAsync(Request(hash, V4(1), 0, AnnounceEvent.Completed));
        reply.Result.Downloaded.Should().Be(1);
    }

    [Test]
    public async Task Completed_from_a_peer_already_seeding_is_not_counted()
    {
        var hash = NewInfoHash();
        await AnnounceAsync(Request(hash, V4(1), 0, AnnounceEvent.Started));

        var reply = await AnnounceAsync(Request(hash, V4(1), 0, AnnounceEvent.Completed));

        reply.Result.Downloaded.Should().Be(0);
        reply.Result.Complete.Should().Be(1);
        (await ScrapeOneAsync(hash)).Downloaded.Should().Be(0);
    }

    [Test]
    public async Task Completed_counts_every_leecher_that_finishes()
    {
        var hash = NewInfoHash();
        await AddPeersAsync(hash, count: 4, first: 1, left: LeecherLeft);
        await AddPeerAsync(hash, V6(1), LeecherLeft);

        await AnnounceAsync(Request(hash, V4(1), 0, AnnounceEvent.Completed));
        await AnnounceAsync(Request(hash, V4(2), 0, AnnounceEvent.Completed));
        await AnnounceAsync(Request(hash, V6(1), 0, AnnounceEvent.Completed));

        (await ScrapeOneAsync(hash)).Should().Be(Counts(complete: 3, incomplete: 2, downloaded: 3));
    }

    [Test]
    public async Task Completed_counts_each_leecher_to_seeder_transition()
    {
        var hash = NewInfoHash();
        await AddPeerAsync(hash, V4(1), LeecherLeft);
        await AnnounceAsync(Request(hash, V4(1), 0, AnnounceEvent.Completed));
        await AnnounceAsync(Request(hash, V4(1), LeecherLeft)); // data lost or re-checked: a leecher again

        var reply = await AnnounceAsync(Request(hash, V4(1), 0, AnnounceEvent.Completed));

        reply.Result.Downloaded.Should().Be(2);
    }

    [Test]
    public async Task Download_count_outlives_the_peer_that_completed()
    {
        var hash = NewInfoHash();
        await AddPeerAsync(hash, V4(1), LeecherLeft);
        await AddPeerAsync(hash, V4(2), LeecherLeft);
        await AnnounceAsync(Request(hash, V4(1), 0, AnnounceEvent.Completed));

        await AnnounceAsync(Request(hash, V4(1), 0, AnnounceEvent.Stopped));

        (await ScrapeOneAsync(hash)).Should().Be(Counts(complete: 0, incomplete: 1, downloaded: 1));
    }

    // ---------------------------------------------------------------- expiry

    [Test]
    public async Task Peer_not_seen_for_longer_than_the_timeout_is_dropped()
    {
        var hash = NewInfoHash();
        await AddPeerAsync(hash, V4(1), LeecherLeft);
        await AddPeerAsync(hash, V4(2), 0);
        Time.Advance(PeerTimeout / 2);
        await AddPeerAsync(hash, V4(3), LeecherLeft);
        Time.Advance((PeerTimeout / 2) + TimeSpan.FromSeconds(1));

        await ExpireAsync(Store);

        (await ScrapeOneAsync(hash)).Should().Be(Counts(complete: 0, incomplete: 1));
        (await AnnounceAsync(Request(hash, V4(4), LeecherLeft))).Endpoints.Should().Equal([V4(3)]);
    }

    [Test]
    public async Task Peer_that_reannounced_in_time_is_kept()
    {
        var hash = NewInfoHash();
        await AddPeerAsync(hash, V4(1), LeecherLeft);
        await AddPeerAsync(hash, V4(2), 0);
        Time.Advance(PeerTimeout - TimeSpan.FromMinutes(1));
        await AnnounceAsync(Request(hash, V4(2), 0));
        Time.Advance(TimeSpan.FromMinutes(2));

        await ExpireAsync(Store);

        (await ScrapeOneAsync(hash)).Should().Be(Counts(complete: 1, incomplete: 0));
        (await AnnounceAsync(Request(hash, V4(3), LeecherLeft))).Endpoints.Should().Equal([V4(2)]);
    }

    [Test]
    public async Task Peer_seen_just_within_the_timeout_is_kept()
    {
        var hash = NewInfoHash();
        await AddPeerAsync(hash, V4(1), LeecherLeft);
        await AddPeerAsync(hash, V6(1), 0);
        Time.Advance(PeerTimeout - TimeSpan.FromSeconds(1));

        await ExpireAsync(Store);

        (await ScrapeOneAsync(hash)).Should().Be(Counts(complete: 1, incomplete: 1));
    }

    [Test]
    public async Task Expiry_covers_both_families()
    {
        var hash = NewInfoHash();
        await AddPeerAsync(hash, V4(1), LeecherLeft);
        await AddPeerAsync(hash, V6(1), LeecherLeft);
        await AddPeerAsync(hash, V6(2), 0);
        Time.Advance(PeerTimeout / 2);
        await AddPeerAsync(hash, V6(3), LeecherLeft);
        Time.Advance((PeerTimeout / 2) + TimeSpan.FromSeconds(1));

        await ExpireAsync(Store);

        (await ScrapeOneAsync(hash)).Should().Be(Counts(complete: 0, incomplete: 1));
        (await AnnounceAsync(Request(hash, V6(4), LeecherLeft))).Endpoints.Should().Equal([V6(3)]);
        (await AnnounceAsync(Request(hash, V4(4), LeecherLeft))).Endpoints.Should().BeEmpty();
    }

    [Test]
    public async Task Swarm_emptied_by_expiry_is_dropped()
    {
        var hash = NewInfoHash();
        await AddPeerAsync(hash, V4(1), LeecherLeft);
        await AddPeerAsync(hash, V6(1), LeecherLeft);
        await AnnounceAsync(Request(hash, V4(1), 0, AnnounceEvent.Completed));
        Time.Advance(PeerTimeout + TimeSpan.FromSeconds(1));

        await ExpireAsync(Store);

        var downloaded = DownloadCountOutlivesTheSwarm ? 1 : 0;
        (await ScrapeOneAsync(hash)).Should().Be(Counts(complete: 0, incomplete: 0, downloaded: downloaded), "the swarm's peers are gone");
        (await AnnounceAsync(Request(hash, V4(2), LeecherLeft))).Result.Should().Be(new StoreAnnounceResult(0, 0, 1, downloaded));
    }

    [Test]
    public async Task Swarm_emptied_by_stops_is_dropped_by_expiry()
    {
        var hash = NewInfoHash();
        await AddPeerAsync(hash, V4(1), LeecherLeft);
        await AnnounceAsync(Request(hash, V4(1), 0, AnnounceEvent.Completed));
        await AnnounceAsync(Request(hash, V4(1), 0, AnnounceEvent.Stopped));
        Time.Advance(PeerTimeout + TimeSpan.FromSeconds(1));

        await ExpireAsync(Store);

        (await ScrapeOneAsync(hash)).Should().Be(Counts(complete: 0, incomplete: 0, downloaded: DownloadCountOutlivesTheSwarm ? 1 : 0));
    }

    [Test]
    public async Task Expiry_leaves_fresh_swarms_alone()
    {
        var stale = NewInfoHash();
        var fresh = NewInfoHash();
        await AddPeersAsync(stale, count: 10, first: 1, seederEvery: 2);
        Time.Advance(PeerTimeout / 2);
        await AddPeersAsync(fresh, count: 10, first: 1, seederEvery: 2);
        Time.Advance((PeerTimeout / 2) + TimeSpan.FromSeconds(1));

        await ExpireAsync(Store);

        (await ScrapeAsync(stale, fresh)).Should().Equal(Counts(0, 0), Counts(complete: 5, incomplete: 5));
    }

    [Test]
    public async Task Expired_peer_that_announces_again_is_a_new_peer()
    {
        var hash = NewInfoHash();
        await AddPeerAsync(hash, V4(1), LeecherLeft);
        Time.Advance(PeerTimeout + TimeSpan.FromSeconds(1));
        await ExpireAsync(Store);

        var reply = await AnnounceAsync(Request(hash, V4(1), LeecherLeft));
        Time.Advance(PeerTimeout - TimeSpan.FromSeconds(1));
        await ExpireAsync(Store);

        reply.Result.Incomplete.Should().Be(1);
        (await ScrapeOneAsync(hash)).Should().Be(Counts(complete: 0, incomplete: 1), "its new announce restarted its clock");
    }

    [Test]
    public async Task Large_swarm_keeps_exactly_the_right_peers_through_stops_and_expiry()
    {
        const int Count = 400;
        var hash = NewInfoHash();
        var peers = await AddPeersAsync(hash, Count, first: 1, seederEvery: 3);
        for (var i = 0; i < Count; i += 5)
        {
            await AnnounceAsync(Request(hash, peers[i].Endpoint, peers[i].Seeder ? 0 : LeecherLeft, AnnounceEvent.Stopped));
        }

        Time.Advance(PeerTimeout / 2);
        var survivors = Enumerable.Range(0, Count).Where(i => i % 2 == 0 && i % 5 != 0).Select(i => peers[i]).ToArray();
        foreach (var peer in survivors)
        {
            await AnnounceAsync(Request(hash, peer.Endpoint, peer.Seeder ? 0 : LeecherLeft, numWant: 0));
        }

        Time.Advance((PeerTimeout / 2) + TimeSpan.FromSeconds(1));
        await ExpireAsync(Store);

        var seeders = survivors.Count(p => p.Seeder);
        (await ScrapeOneAsync(hash)).Should().Be(Counts(seeders, survivors.Length - seeders));
        var everyone = await AnnounceAsync(Request(hash, V4(5000), LeecherLeft, numWant: 500), bufferLength: 500);
        everyone.Endpoints.Should().BeEquivalentTo(survivors.Select(p => p.Endpoint));
        everyone.Peers.Should().OnlyContain(p => p.PeerId == IdFor(p.Endpoint, 0));
        foreach (var peer in survivors)
        {
            await AnnounceAsync(Request(hash, peer.Endpoint, peer.Seeder ? 0 : LeecherLeft, AnnounceEvent.Stopped));
        }

        (await ScrapeOneAsync(hash)).Should().Be(Counts(complete: 0, incomplete: 1));
        (await AnnounceAsync(Request(hash, V4(5001), LeecherLeft))).Endpoints.Should().Equal([V4(5000)]);
    }

    [Test]
    public async Task Peer_in_two_swarms_is_filed_in_each_separately()
    {
        var first = NewInfoHash();
        var second = NewInfoHash();
        await AddPeerAsync(first, V4(1), LeecherLeft);
        await AddPeerAsync(second, V4(1), 0);

        await AnnounceAsync(Request(first, V4(1), LeecherLeft, AnnounceEvent.Stopped));

        (await ScrapeAsync(first, second)).Should().Equal(Counts(0, 0), Counts(complete: 1, incomplete: 0));
        (await AnnounceAsync(Request(second, V4(2), LeecherLeft))).Endpoints.Should().Equal([V4(1)]);
    }

    // ---------------------------------------------------------------- scrape

    [Test]
    public async Task Scrape_returns_counts_per_hash_in_order_and_zeros_for_unknown_hashes()
    {
        var first = NewInfoHash();
        var second = NewInfoHash();
        var unknown = NewInfoHash();
        await AddPeersAsync(first, count: 3, first: 1, left: 0);
        await AddPeerAsync(first, V6(1), LeecherLeft);
        await AnnounceAsync(Request(first, V6(1), 0, AnnounceEvent.Completed));
        await AddPeerAsync(first, V6(2), LeecherLeft);
        await AddPeersAsync(second, count: 2, first: 1, left: LeecherLeft);

        var results = await ScrapeAsync(second, unknown, first, second);

        results.Should().Equal(
            Counts(complete: 0, incomplete: 2),
            Counts(complete: 0, incomplete: 0),
            Counts(complete: 4, incomplete: 1, downloaded: 1),
            Counts(complete: 0, incomplete: 2));
    }

    [Test]
    public async Task Scrape_of_no_hashes_is_harmless()
    {
        (await ScrapeAsync()).Should().BeEmpty();
    }

    // ---------------------------------------------------------------- purge

    [Test]
    public async Task Purge_drops_every_peer_of_the_swarm_and_says_how_many()
    {
        var hash = NewInfoHash();
        await AddPeersAsync(hash, count: 5, first: 1, seederEvery: 2);
        await AddPeersAsync(hash, count: 3, first: 1, seederEvery: 2, ipv6: true);

        var dropped = await Store.PurgeAsync(hash, CancellationToken.None);

        dropped.Should().Be(8);
        (await ScrapeOneAsync(hash)).Should().Be(Counts(complete: 0, incomplete: 0));
    }

    [Test]
    public async Task Announce_after_purge_starts_a_fresh_swarm()
    {
        var hash = NewInfoHash();
        await AddPeersAsync(hash, count: 5, first: 1, seederEvery: 2);
        await AddPeersAsync(hash, count: 5, first: 1, seederEvery: 2, ipv6: true);
        await AnnounceAsync(Request(hash, V4(2), 0, AnnounceEvent.Completed));
        await Store.PurgeAsync(hash, CancellationToken.None);

        var reply4 = await AnnounceAsync(Request(hash, V4(100), LeecherLeft, AnnounceEvent.Started));
        var reply6 = await AnnounceAsync(Request(hash, V6(100), LeecherLeft, AnnounceEvent.Started));

        reply4.Peers.Should().BeEmpty("no purged peer address may be handed out again");
        reply6.Peers.Should().BeEmpty("no purged peer address may be handed out again");
        reply6.Result.Should().Be(new StoreAnnounceResult(0, 0, 2, 0));
        (await AnnounceAsync(Request(hash, V4(101), LeecherLeft))).Endpoints.Should().Equal([V4(100)]);
    }

    [Test]
    public async Task Purge_leaves_other_swarms_untouched()
    {
        var purged = NewInfoHash();
        var kept = NewInfoHash();
        await AddPeersAsync(purged, count: 6, first: 1, seederEvery: 2);
        var keptPeers = await AddPeersAsync(kept, count: 6, first: 1, seederEvery: 2);
        await AddPeerAsync(kept, V4(50), LeecherLeft);
        await AnnounceAsync(Request(kept, V4(50), 0, AnnounceEvent.Completed));

        (await Store.PurgeAsync(purged, CancellationToken.None)).Should().Be(6);

        (await ScrapeAsync(purged, kept)).Should().Equal(Counts(0, 0), Counts(complete: 4, incomplete: 3, downloaded: 1));
        (await AnnounceAsync(Request(kept, V4(100), LeecherLeft))).Endpoints
            .Should().BeEquivalentTo(keptPeers.Select(p => p.Endpoint).Append(V4(50)));
    }

    [Test]
    public async Task Purge_of_an_unknown_or_already_purged_swarm_drops_nothing()
    {
        var hash = NewInfoHash();
        (await Store.PurgeAsync(hash, CancellationToken.None)).Should().Be(0);

        await AddPeersAsync(hash, count: 3, first: 1);
        (await Store.PurgeAsync(hash, CancellationToken.None)).Should().Be(3);
        (await Store.PurgeAsync(hash, CancellationToken.None)).Should().Be(0);
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>A scrape entry, named so the order of its fields cannot be mixed up.</summary>
    protected static ScrapeEntry Counts(int complete, int incomplete, long downloaded = 0) => new(complete, downloaded, incomplete);

    /// <summary>
    /// Announces and returns the peers the store reports, checking what holds for every reply: no more than
    /// numwant and the buffer allow, nothing written past that, no duplicates, never the announcer itself, and
    /// only peers of the announcer's family.
    /// </summary>
    protected async Task<AnnounceReply> AnnounceAsync(AnnounceRequest request, int bufferLength = 200)
    {
        var buffer = new PeerEntry[bufferLength];
        buffer.AsSpan().Fill(Sentinel);

        var result = await Store.AnnounceAsync(request, buffer, CancellationToken.None);

        var limit = Math.Min(Math.Max(request.NumWant, 0), bufferLength);
        result.PeerCount.Should().BeInRange(0, limit, "a store writes at most min(numwant, buffer length) peers");
        result.Complete.Should().BeGreaterThanOrEqualTo(0);
        result.Incomplete.Should().BeGreaterThanOrEqualTo(0);
        result.Downloaded.Should().BeGreaterThanOrEqualTo(0);
        buffer.Skip(result.PeerCount).Should().NotContain(p => p != Sentinel, "a store must not write past the peers it reports");
        var peers = buffer[..result.PeerCount];
        var reply = new AnnounceReply(result, peers);
        reply.Endpoints.Should().OnlyHaveUniqueItems("a reply never names a peer twice");
        reply.Endpoints.Should().NotContain(request.Endpoint, "the announcing peer is never handed itself");
        reply.Endpoints.Should().NotContain(e => e.IsIPv4 != request.Endpoint.IsIPv4, "each family is answered with its own peers");
        return reply;
    }

    /// <summary>Files one peer (numwant 0, event started).</summary>
    protected async Task AddPeerAsync(InfoHash infoHash, PeerEndpoint endpoint, long left) =>
        await AnnounceAsync(Request(infoHash, endpoint, left, AnnounceEvent.Started, numWant: 0));

    /// <summary>
    /// Files <paramref name="count"/> peers numbered from <paramref name="first"/>: all with <paramref name="left"/>,
    /// or, when <paramref name="seederEvery"/> is set, every n-th one (counting from the first) a seeder and the rest leechers.
    /// </summary>
    protected async Task<IReadOnlyList<(PeerEndpoint Endpoint, bool Seeder)>> AddPeersAsync(
        InfoHash infoHash, int count, int first, long left = LeecherLeft, int seederEvery = 0, bool ipv6 = false)
    {
        var peers = new List<(PeerEndpoint, bool)>(count);
        var buffer = new PeerEntry[1];
        for (var i = 0; i < count; i++)
        {
            var endpoint = ipv6 ? V6(first + i) : V4(first + i);
            var peerLeft = seederEvery > 0 ? (i % seederEvery == 0 ? 0 : LeecherLeft) : left;
            await Store.AnnounceAsync(Request(infoHash, endpoint, peerLeft, AnnounceEvent.Started, numWant: 0), buffer, CancellationToken.None);
            peers.Add((endpoint, peerLeft == 0));
        }

        return peers;
    }

    protected async Task<ScrapeEntry[]> ScrapeAsync(params InfoHash[] infoHashes)
    {
        // Filled with junk first: a store must write every entry, zeros included.
        var results = Enumerable.Repeat(new ScrapeEntry(-7, -7, -7), infoHashes.Length).ToArray();
        await Store.ScrapeAsync(infoHashes, results, CancellationToken.None);
        return results;
    }

    protected async Task<ScrapeEntry> ScrapeOneAsync(InfoHash infoHash) => (await ScrapeAsync(infoHash))[0];
}
