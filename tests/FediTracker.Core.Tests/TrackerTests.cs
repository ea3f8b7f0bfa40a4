using FediTracker.Core.Diagnostics;
using FediTracker.Core.Swarms;
using FediTracker.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static FediTracker.Core.Tests.Swarms.TestPeers;

namespace FediTracker.Core.Tests;

[TestFixture]
public sealed class TrackerTests
{
    [TestCase(-1, 50)]
    [TestCase(int.MinValue, 50)]
    [TestCase(0, 0)]
    [TestCase(1, 1)]
    [TestCase(199, 199)]
    [TestCase(200, 200)]
    [TestCase(201, 200)]
    [TestCase(int.MaxValue, 200)]
    public void ClampNumWant_uses_the_default_when_absent_and_caps_at_the_maximum(int requested, int expected)
    {
        var tracker = CreateTracker(NewStore(), new TrackerOptions { DefaultNumWant = 50, MaxNumWant = 200 });

        tracker.ClampNumWant(requested).Should().Be(expected);
    }

    [Test]
    public void ClampNumWant_caps_a_default_above_the_maximum()
    {
        var tracker = CreateTracker(NewStore(), new TrackerOptions { DefaultNumWant = 300, MaxNumWant = 100 });

        tracker.ClampNumWant(-1).Should().Be(100);
    }

    [TestCase(-1, 30)]
    [TestCase(0, 0)]
    [TestCase(7, 7)]
    [TestCase(120, 120)]
    [TestCase(1_000, 120)]
    public async Task Announce_clamps_numwant_before_asking_the_store(int requested, int expected)
    {
        var store = NewStore();
        var hash = NewInfoHash();
        for (var i = 1; i <= 300; i++)
        {
            store.Announce(Request(hash, V4(i), LeecherLeft, numWant: 0), []);
        }

        var tracker = CreateTracker(store, new TrackerOptions { DefaultNumWant = 30, MaxNumWant = 120 });
        var peers = new PeerEntry[500];

        var outcome = await tracker.AnnounceAsync(Transport.Http, Request(hash, V4(1_000), LeecherLeft, numWant: requested), peers, CancellationToken.None);

        outcome.Succeeded.Should().BeTrue();
        outcome.PeerCount.Should().Be(expected);
        peers.Take(expected).Should().NotContain(default(PeerEntry));
        peers.Skip(expected).Should().NotContain(p => p != default(PeerEntry), "the store was asked for the clamped number only");
    }

    [Test]
    public async Task Interval_lies_between_the_interval_and_the_interval_plus_jitter()
    {
        var tracker = CreateTracker(NewStore(), new TrackerOptions { AnnounceIntervalSeconds = 1_000, IntervalJitter = 0.2 });
        var hash = NewInfoHash();
        var intervals = new HashSet<int>();

        for (var i = 0; i < 300; i++)
        {
            var outcome = await tracker.AnnounceAsync(Transport.Http, Request(hash, V4(i + 1), LeecherLeft), new PeerEntry[10], CancellationToken.None);
            outcome.Interval.Should().BeInRange(1_000, 1_200);
            intervals.Add(outcome.Interval);
        }

        intervals.Count.Should().BeGreaterThan(1, "300 draws from 201 values are not all the same unless the jitter is missing");
    }

    [Test]
    public async Task Interval_without_jitter_is_exact()
    {
        var tracker = CreateTracker(NewStore(), new TrackerOptions { AnnounceIntervalSeconds = 1_000, IntervalJitter = 0 });
        var hash = NewInfoHash();

        for (var i = 0; i < 20; i++)
        {
            var outcome = await tracker.AnnounceAsync(Transport.Http, Request(hash, V4(i + 1), LeecherLeft), new PeerEntry[10], CancellationToken.None);
            outcome.Interval.Should().Be(1_000);
        }
    }

    [Test]
    public async Task Min_interval_is_passed_through()
    {
        var tracker = CreateTracker(NewStore(), new TrackerOptions { MinAnnounceIntervalSeconds = 123 });

        var outcome = await tracker.AnnounceAsync(Transport.Http, Request(NewInfoHash(), V4(1), LeecherLeft), new PeerEntry[10], CancellationToken.None);

        outcome.MinInterval.Should().Be(123);
    }

    [Test]
    public async Task Announce_reports_the_store_counts()
    {
        var store = NewStore();
        var hash = NewInfoHash();
        store.Announce(Request(hash, V4(1), LeecherLeft), []);
        store.Announce(Request(hash, V4(1), 0, AnnounceEvent.Completed), []);
        store.Announce(Request(hash, V6(1), LeecherLeft), []);
        store.Announce(Request(hash, V4(2), LeecherLeft), []);
        var tracker = CreateTracker(store, new TrackerOptions());
        var peers = new PeerEntry[200];

        var outcome = await tracker.AnnounceAsync(Transport.Http, Request(hash, V4(3), LeecherLeft), peers, CancellationToken.None);

        outcome.Succeeded.Should().BeTrue();
        outcome.FailureReason.Should().BeNull();
        outcome.RetryNever.Should().BeFalse();
        (outcome.Complete, outcome.Incomplete, outcome.Downloaded, outcome.PeerCount).Should().Be((1, 3, 1L, 2));
        peers.Take(2).Select(p => p.Endpoint).Should().BeEquivalentTo([V4(1), V4(2)]);
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task Announce_turns_an_unavailable_store_into_a_failure_reason(bool throwSynchronously)
    {
        var store = new UnavailableSwarmStore(throwSynchronously);
        var tracker = CreateTracker(store, new TrackerOptions());

        var outcome = await tracker.AnnounceAsync(Transport.Http, Request(NewInfoHash(), V4(1), LeecherLeft), new PeerEntry[10], CancellationToken.None);

        store.Calls.Should().Be(1);
        outcome.Succeeded.Should().BeFalse();
        outcome.FailureReason.Should().Be(FailureReasons.StoreUnavailable);
        outcome.RetryNever.Should().BeFalse("the client should come back once the store is");
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task Scrape_turns_an_unavailable_store_into_a_failure_reason(bool throwSynchronously)
    {
        var store = new UnavailableSwarmStore(throwSynchronously);
        var tracker = CreateTracker(store, new TrackerOptions());

        var failure = await tracker.ScrapeAsync(Transport.Http, PeerAddress.FromIPv4(0x7F000001), new[] { NewInfoHash() }, new ScrapeEntry[1], CancellationToken.None);

        store.Calls.Should().Be(1);
        failure.Should().Be(FailureReasons.StoreUnavailable);
    }

    [Test]
    public async Task Scrape_over_MaxScrapeHashes_is_refused_without_asking_the_store()
    {
        var store = new UnavailableSwarmStore(throwSynchronously: true);
        var tracker = CreateTracker(store, new TrackerOptions { MaxScrapeHashes = 5 });
        var hashes = Enumerable.Range(0, 6).Select(_ => NewInfoHash()).ToArray();

        var failure = await tracker.ScrapeAsync(Transport.Http, PeerAddress.FromIPv4(0x7F000001), hashes, new ScrapeEntry[6], CancellationToken.None);

        failure.Should().Be(FailureReasons.TooManyScrapeHashes);
        store.Calls.Should().Be(0);
    }

    [Test]
    public async Task Scrape_of_exactly_MaxScrapeHashes_is_answered()
    {
        var store = NewStore();
        var hashes = Enumerable.Range(0, 5).Select(_ => NewInfoHash()).ToArray();
        store.Announce(Request(hashes[3], V4(1), 0), []);
        var tracker = CreateTracker(store, new TrackerOptions { MaxScrapeHashes = 5 });
        var results = new ScrapeEntry[5];

        var failure = await tracker.ScrapeAsync(Transport.Http, PeerAddress.FromIPv4(0x7F000001), hashes, results, CancellationToken.None);

        failure.Should().BeNull();
        results.Should().Equal(default, default, default, new ScrapeEntry(1, 0, 0), default);
    }

    private static MemorySwarmStore NewStore() => new(new FakeTimeProvider(), TimeSpan.FromMinutes(30));

    // These tests are about pacing and the store; access policy has its own tests, so every hash is served here.
    private static Tracker CreateTracker(ISwarmStore store, TrackerOptions options)
    {
        options.AccessMode = FediTracker.Core.Registry.AccessMode.Open;
        return new(store, Options.Create(options), new TrackerMetrics(new StandaloneMeterFactory()), NullLogger<Tracker>.Instance);
    }
}
