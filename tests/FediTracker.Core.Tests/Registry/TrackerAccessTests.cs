using FediTracker.Core.Diagnostics;
using FediTracker.Core.Registry;
using FediTracker.Core.Swarms;
using FediTracker.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static FediTracker.Core.Tests.Registry.AccessListTests;
using static FediTracker.Core.Tests.Swarms.TestPeers;

namespace FediTracker.Core.Tests.Registry;

/// <summary>How <see cref="Tracker"/> applies the access policy and the store's own revocation marker.</summary>
[TestFixture]
public sealed class TrackerAccessTests
{
    private static readonly PeerAddress Client = PeerAddress.FromIPv4(0x7F00_0001u);

    private MemorySwarmStore _store = null!;
    private AccessList _list = null!;

    [SetUp]
    public void CreateStore()
    {
        _store = new MemorySwarmStore(new FakeTimeProvider(), TimeSpan.FromMinutes(30));
        _list = new AccessList();
    }

    [Test]
    public async Task Registered_mode_refuses_an_unknown_hash_as_not_registered_and_files_nothing()
    {
        var tracker = CreateTracker(AccessMode.Registered);

        var outcome = await AnnounceAsync(tracker, NewInfoHash(), V4(1));

        outcome.Succeeded.Should().BeFalse();
        outcome.FailureReason.Should().Be(FailureReasons.NotRegistered);
        outcome.RetryNever.Should().BeFalse("it may be registered later");
        _store.PeerCount.Should().Be(0);
        _store.SwarmCount.Should().Be(0);
    }

    [Test]
    public async Task Registered_mode_serves_an_active_hash()
    {
        var hash = NewInfoHash();
        _list.Apply(Batch(1, Hash(1, hash, AccessState.Active)));
        var tracker = CreateTracker(AccessMode.Registered);
        await AnnounceAsync(tracker, hash, V4(1), left: 0);

        var outcome = await AnnounceAsync(tracker, hash, V4(2));

        outcome.Succeeded.Should().BeTrue();
        (outcome.Complete, outcome.Incomplete, outcome.PeerCount).Should().Be((1, 1, 1));
    }

    [TestCase(AccessMode.Registered)]
    [TestCase(AccessMode.Open)]
    [TestCase(AccessMode.Private)]
    public async Task Suspended_hash_is_refused_with_the_suspended_reason_and_no_retry_never(AccessMode mode)
    {
        var hash = NewInfoHash();
        _list.Apply(Batch(1, Hash(1, hash, AccessState.Suspended)));
        var tracker = CreateTracker(mode);

        var outcome = await AnnounceAsync(tracker, hash, V4(1));

        outcome.FailureReason.Should().Be(FailureReasons.Suspended);
        outcome.RetryNever.Should().BeFalse("a suspension can be lifted");
        _store.PeerCount.Should().Be(0);
    }

    [TestCase(AccessMode.Registered)]
    [TestCase(AccessMode.Open)]
    [TestCase(AccessMode.Private)]
    public async Task Revoked_hash_is_refused_with_the_revoked_reason_and_retry_never(AccessMode mode)
    {
        var hash = NewInfoHash();
        _list.Apply(Batch(1, Hash(1, hash, AccessState.Revoked)));
        var tracker = CreateTracker(mode);

        foreach (var announceEvent in new[] { AnnounceEvent.Started, AnnounceEvent.None, AnnounceEvent.Completed, AnnounceEvent.Stopped })
        {
            var outcome = await AnnounceAsync(tracker, hash, V4(1), announceEvent: announceEvent);
            outcome.FailureReason.Should().Be(FailureReasons.Revoked);
            outcome.RetryNever.Should().BeTrue("BEP 31: a revoked torrent is gone for good");
            (outcome.PeerCount, outcome.Complete, outcome.Incomplete).Should().Be((0, 0, 0));
        }

        _store.PeerCount.Should().Be(0);
    }

    [Test]
    public async Task Open_mode_serves_an_unknown_hash()
    {
        var hash = NewInfoHash();
        var tracker = CreateTracker(AccessMode.Open);
        await AnnounceAsync(tracker, hash, V4(1), left: 0);

        var outcome = await AnnounceAsync(tracker, hash, V4(2));

        outcome.Succeeded.Should().BeTrue();
        outcome.PeerCount.Should().Be(1);
    }

    [Test]
    public async Task Store_revocation_marker_is_answered_as_revoked_even_when_this_node_still_allows_the_hash()
    {
        // Another node revoked it and its notice has not arrived: the list still says active, the store refuses.
        var hash = NewInfoHash();
        _list.Apply(Batch(1, Hash(1, hash, AccessState.Active)));
        var tracker = CreateTracker(AccessMode.Registered);
        await AnnounceAsync(tracker, hash, V4(1), left: 0);
        await _store.BlockAsync(hash, CancellationToken.None);

        var outcome = await AnnounceAsync(tracker, hash, V4(2));

        outcome.FailureReason.Should().Be(FailureReasons.Revoked);
        outcome.RetryNever.Should().BeTrue();
        outcome.PeerCount.Should().Be(0);
    }

    [Test]
    public async Task Store_revocation_marker_refuses_in_open_mode_too()
    {
        var hash = NewInfoHash();
        await _store.BlockAsync(hash, CancellationToken.None);
        var tracker = CreateTracker(AccessMode.Open);

        var outcome = await AnnounceAsync(tracker, hash, V4(1));

        outcome.FailureReason.Should().Be(FailureReasons.Revoked);
        outcome.RetryNever.Should().BeTrue();
    }

    [Test]
    public async Task Scrape_answers_refused_hashes_as_zeros_among_allowed_ones()
    {
        var active = NewInfoHash();
        var suspended = NewInfoHash();
        var revoked = NewInfoHash();
        var unknown = NewInfoHash();
        foreach (var hash in new[] { active, suspended, revoked, unknown })
        {
            // Every swarm has peers in the store: the zeros must come from the policy, not from an empty store.
            _store.Announce(Request(hash, V4(1), 0, AnnounceEvent.Started), []);
            _store.Announce(Request(hash, V4(2), LeecherLeft, AnnounceEvent.Started), []);
        }

        _list.Apply(Batch(3, Hash(1, active, AccessState.Active), Hash(2, suspended, AccessState.Suspended), Hash(3, revoked, AccessState.Revoked)));
        var tracker = CreateTracker(AccessMode.Registered);
        var results = new ScrapeEntry[4];

        var failure = await tracker.ScrapeAsync(Transport.Http, Client, new[] { suspended, active, unknown, revoked }, results, CancellationToken.None);

        failure.Should().BeNull();
        results.Should().Equal(default, new ScrapeEntry(1, 0, 1), default, default);
    }

    [Test]
    public async Task Scrape_in_open_mode_answers_unknown_hashes_and_zeros_blocked_ones()
    {
        var unknown = NewInfoHash();
        var revoked = NewInfoHash();
        _store.Announce(Request(unknown, V4(1), 0, AnnounceEvent.Started), []);
        _store.Announce(Request(revoked, V4(1), 0, AnnounceEvent.Started), []);
        _list.Apply(Batch(1, Hash(1, revoked, AccessState.Revoked)));
        var tracker = CreateTracker(AccessMode.Open);
        var results = new ScrapeEntry[2];

        var failure = await tracker.ScrapeAsync(Transport.Udp, Client, new[] { unknown, revoked }, results, CancellationToken.None);

        failure.Should().BeNull();
        results.Should().Equal(new ScrapeEntry(1, 0, 0), default);
    }

    [TestCase(AccessState.Revoked, FailureReasons.Revoked)]
    [TestCase(AccessState.Suspended, FailureReasons.Suspended)]
    [TestCase(AccessState.Unknown, FailureReasons.NotRegistered)]
    public async Task Scrape_of_refused_hashes_only_fails_with_the_first_refusal(AccessState first, string reason)
    {
        var hashes = new[] { NewInfoHash(), NewInfoHash(), NewInfoHash() };
        var states = new[] { first, AccessState.Revoked, AccessState.Suspended };
        for (var i = 0; i < hashes.Length; i++)
        {
            _store.Announce(Request(hashes[i], V4(1), 0, AnnounceEvent.Started), []);
            if (states[i] != AccessState.Unknown)
            {
                _list.Apply(Batch(_list.Version + 1, Hash(_list.Version + 1, hashes[i], states[i])));
            }
        }

        var tracker = CreateTracker(AccessMode.Registered);
        var results = new ScrapeEntry[3];

        var failure = await tracker.ScrapeAsync(Transport.Http, Client, hashes, results, CancellationToken.None);

        failure.Should().Be(reason);
        results.Should().OnlyContain(r => r == default, "nothing about a refused hash is written");
    }

    [Test]
    public async Task Access_refusal_does_not_reach_the_store()
    {
        var store = new UnavailableSwarmStore(throwSynchronously: true);
        var hash = NewInfoHash();
        _list.Apply(Batch(1, Hash(1, hash, AccessState.Revoked)));
        var tracker = new Tracker(store, Options.Create(new TrackerOptions { AccessMode = AccessMode.Registered }), new TrackerMetrics(new StandaloneMeterFactory()), NullLogger<Tracker>.Instance, new AccessPolicy(AccessMode.Registered, _list));

        var outcome = await tracker.AnnounceAsync(Transport.Udp, Request(hash, V4(1), LeecherLeft), new PeerEntry[10], CancellationToken.None);
        var scrape = await tracker.ScrapeAsync(Transport.Udp, Client, new[] { hash }, new ScrapeEntry[1], CancellationToken.None);

        outcome.FailureReason.Should().Be(FailureReasons.Revoked);
        scrape.Should().Be(FailureReasons.Revoked);
        store.Calls.Should().Be(0, "the policy refuses before the store is asked");
    }

    [Test]
    public void Private_mode_refuses_a_missing_or_unknown_passkey()
    {
        var tracker = CreateTracker(AccessMode.Private);

        tracker.AcceptPasskey(Transport.Http, []).Should().BeFalse();
        tracker.AcceptPasskey(Transport.Http, "0123456789abcdef0123456789abcdef01234567"u8).Should().BeFalse();
        CreateTracker(AccessMode.Registered).AcceptPasskey(Transport.Http, []).Should().BeTrue();
    }

    private Tracker CreateTracker(AccessMode mode) =>
        new(_store, Options.Create(new TrackerOptions { AccessMode = mode }), new TrackerMetrics(new StandaloneMeterFactory()), NullLogger<Tracker>.Instance, new AccessPolicy(mode, _list));

    private static async Task<AnnounceOutcome> AnnounceAsync(Tracker tracker, InfoHash hash, PeerEndpoint endpoint, long left = LeecherLeft, AnnounceEvent announceEvent = AnnounceEvent.Started) =>
        await tracker.AnnounceAsync(Transport.Http, Request(hash, endpoint, left, announceEvent), new PeerEntry[50], CancellationToken.None);
}
