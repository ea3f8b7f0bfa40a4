using FediTracker.Core;
using FediTracker.Core.Diagnostics;
using FediTracker.Core.Registry;
using FediTracker.Core.Swarms;
using FediTracker.Core.Tests;
using FediTracker.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static FediTracker.Core.Tests.Swarms.TestPeers;

namespace FediTracker.Storage.Sqlite.Tests;

/// <summary>
/// <see cref="ModerationService"/> over the real SQLite registry and the real memory swarm store: what holds once a
/// moderation call returns, repeats after a store that lost (or never got) a block, and observers that fail.
/// </summary>
[TestFixture]
public sealed class ModerationServiceTests
{
    private const string Admin = "moderator";
    private static readonly PeerAddress Client = PeerAddress.FromIPv4(0x7F00_0001u);

    private DirectoryInfo? _directory;
    private SqliteTorrentRegistry _registry = null!;
    private FakeTimeProvider _time = null!;
    private MemorySwarmStore _memory = null!;
    private FlakySwarmStore _store = null!;
    private AccessList _list = null!;
    private AccessSynchronizer _sync = null!;
    private Tracker _tracker = null!;

    [SetUp]
    public async Task OpenRegistry()
    {
        _directory = Directory.CreateTempSubdirectory("feditracker-moderation-");
        _time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        _registry = await SqliteTorrentRegistry.OpenAsync(new SqliteRegistryOptions { Path = Path.Combine(_directory.FullName, "registry.db") }, _time, null, CancellationToken.None);
        _memory = new MemorySwarmStore(_time, TimeSpan.FromMinutes(30));
        _store = new FlakySwarmStore(_memory);
        _list = new AccessList();
        _sync = new AccessSynchronizer(_registry, _list, NullLogger<AccessSynchronizer>.Instance);
        _tracker = new Tracker(_store, Options.Create(new TrackerOptions { AccessMode = AccessMode.Registered }), new TrackerMetrics(new StandaloneMeterFactory()), NullLogger<Tracker>.Instance, new AccessPolicy(AccessMode.Registered, _list));
    }

    [TearDown]
    public async Task CloseRegistry()
    {
        _sync.Dispose();
        await _registry.DisposeAsync();
        _directory?.Delete(recursive: true);
    }

    [Test]
    public async Task After_a_revoke_returns_every_hash_of_the_torrent_is_refused_by_the_list_the_store_and_the_tracker()
    {
        var service = Service();
        var torrent = await RegisterAsync(service, hybrid: true);
        var v1 = torrent.V1!.Value;
        var v2 = torrent.V2!.Value;
        await SeedAsync(v1, 3);
        await SeedAsync(v2, 2);
        _memory.PeerCount.Should().Be(5);

        var result = await service.ModerateAsync(Revoke(ModerationTarget.ForHash(v1)), CancellationToken.None);

        result.Changed.Should().BeTrue();
        result.Blocked.Should().BeEquivalentTo([v1, v2]);
        _list.Get(v1).Should().Be(AccessState.Revoked);
        _list.Get(v2).Should().Be(AccessState.Revoked);
        (await StoreAnnounceAsync(v1, V4(100))).Status.Should().Be(StoreAnnounceStatus.Revoked, "the store refuses by itself, whatever the node's list says");
        (await StoreAnnounceAsync(v2, V4(100))).Status.Should().Be(StoreAnnounceStatus.Revoked);
        _memory.PeerCount.Should().Be(0, "no peer address of the revoked swarms is kept");
        var outcome = await TrackerAnnounceAsync(v2, V4(1));
        outcome.FailureReason.Should().Be(FailureReasons.Revoked);
        outcome.RetryNever.Should().BeTrue();
        (await _tracker.ScrapeAsync(Transport.Http, Client, new[] { v1, v2 }, new ScrapeEntry[2], CancellationToken.None)).Should().Be(FailureReasons.Revoked);
    }

    [Test]
    public async Task Observers_run_after_the_list_and_the_store_refuse_the_hash()
    {
        var seen = new List<string>();
        var observer = new RecordingObserver(async (stage, request) =>
        {
            if (request is null)
            {
                return;
            }

            var hash = InfoHash.TryParseHex(request.Target.Value, out var parsed) ? parsed : default;
            var status = (await StoreAnnounceAsync(hash, V4(200))).Status;
            seen.Add($"{stage}: list {_list.Get(hash)}, store {status}");
        });
        var service = Service(observer);
        var torrent = await RegisterAsync(service);
        await SeedAsync(torrent.V1!.Value, 2);

        await service.ModerateAsync(Revoke(ModerationTarget.ForHash(torrent.V1!.Value)), CancellationToken.None);

        seen.Should().Equal("moderated: list Revoked, store Revoked");
        observer.AccessChanges.Should().Be(2, "one for the registration, one for the revocation");
    }

    [Test]
    public async Task Repeat_of_a_revoke_blocks_the_store_again_when_it_lost_the_block()
    {
        var service = Service();
        var torrent = await RegisterAsync(service, hybrid: true);
        var first = await service.ModerateAsync(Revoke(ModerationTarget.ForHash(torrent.V1!.Value)), CancellationToken.None);

        // A store that lost its block (a Redis restored from an old snapshot, a memory store after a restart).
        await _memory.UnblockAsync(torrent.V1!.Value, CancellationToken.None);
        await _memory.UnblockAsync(torrent.V2!.Value, CancellationToken.None);
        (await StoreAnnounceAsync(torrent.V1!.Value, V4(1), left: 0)).Status.Should().Be(StoreAnnounceStatus.Ok);
        (await StoreAnnounceAsync(torrent.V2!.Value, V6(1), left: 0)).Status.Should().Be(StoreAnnounceStatus.Ok);
        _memory.PeerCount.Should().Be(2);

        var repeat = await service.ModerateAsync(Revoke(ModerationTarget.ForHash(torrent.V1!.Value)), CancellationToken.None);

        repeat.Changed.Should().BeFalse("the registry had it already");
        repeat.Record!.Id.Should().Be(first.Record!.Id);
        (await StoreAnnounceAsync(torrent.V1!.Value, V4(2))).Status.Should().Be(StoreAnnounceStatus.Revoked);
        (await StoreAnnounceAsync(torrent.V2!.Value, V4(2))).Status.Should().Be(StoreAnnounceStatus.Revoked);
        _memory.PeerCount.Should().Be(0, "the peers filed while the block was lost are dropped by the repeat");
    }

    [Test]
    public async Task Repeat_of_a_revoke_that_failed_at_the_store_completes_it()
    {
        var service = Service();
        var torrent = await RegisterAsync(service);
        var hash = torrent.V1!.Value;
        await SeedAsync(hash, 3);
        _store.Fail = true;

        await FluentActions.Awaiting(() => service.ModerateAsync(Revoke(ModerationTarget.ForHash(hash)), CancellationToken.None))
            .Should().ThrowAsync<SwarmStoreUnavailableException>();

        (await _registry.GetStateAsync(hash, CancellationToken.None)).Should().Be(AccessState.Revoked, "the record is durable first");
        _list.Get(hash).Should().Be(AccessState.Revoked, "this node refuses it even though the store could not be reached");
        (await TrackerAnnounceAsync(hash, V4(50))).FailureReason.Should().Be(FailureReasons.Revoked);
        _memory.PeerCount.Should().Be(3, "the store was not reached");

        _store.Fail = false;
        var retry = await service.ModerateAsync(Revoke(ModerationTarget.ForHash(hash)), CancellationToken.None);

        retry.Changed.Should().BeFalse();
        _memory.PeerCount.Should().Be(0);
        (await StoreAnnounceAsync(hash, V4(60))).Status.Should().Be(StoreAnnounceStatus.Revoked);
    }

    [Test]
    public async Task A_revoke_that_failed_at_the_store_still_tells_the_observers_once()
    {
        var observer = new RecordingObserver((_, _) => Task.CompletedTask);
        var service = Service(observer);
        var torrent = await RegisterAsync(service);
        var hash = torrent.V1!.Value;
        _store.Fail = true;

        await FluentActions.Awaiting(() => service.ModerateAsync(Revoke(ModerationTarget.ForHash(hash)), CancellationToken.None))
            .Should().ThrowAsync<SwarmStoreUnavailableException>();

        observer.Moderations.Should().Be(1, "federated trackers and other nodes learn of the revocation even though this store was down");
        _store.Fail = false;
        (await service.ModerateAsync(Revoke(ModerationTarget.ForHash(hash)), CancellationToken.None)).Changed.Should().BeFalse();
        observer.Moderations.Should().Be(1, "the repeat completes the purge and tells nobody twice");
        (await StoreAnnounceAsync(hash, V4(70))).Status.Should().Be(StoreAnnounceStatus.Revoked);
    }

    [Test]
    public async Task Restore_serves_the_hashes_again_from_an_empty_swarm()
    {
        var service = Service();
        var torrent = await RegisterAsync(service, hybrid: true);
        await SeedAsync(torrent.V1!.Value, 2);
        await service.ModerateAsync(Revoke(ModerationTarget.ForHash(torrent.V1!.Value)), CancellationToken.None);

        var restored = await service.ModerateAsync(Moderation(ModerationKind.Restore, ModerationTarget.ForHash(torrent.V2!.Value)), CancellationToken.None);

        restored.Changed.Should().BeTrue();
        restored.Unblocked.Should().BeEquivalentTo([torrent.V1!.Value, torrent.V2!.Value]);
        _list.Get(torrent.V1!.Value).Should().Be(AccessState.Active);
        var first = await TrackerAnnounceAsync(torrent.V1!.Value, V4(100));
        first.Succeeded.Should().BeTrue();
        (first.Complete, first.Incomplete, first.PeerCount).Should().Be((0, 1, 0), "the swarm starts again from nothing");
        (await TrackerAnnounceAsync(torrent.V2!.Value, V4(100))).Succeeded.Should().BeTrue();
    }

    [Test]
    public async Task Repeat_of_a_restore_that_failed_at_the_store_completes_it()
    {
        var service = Service();
        var torrent = await RegisterAsync(service);
        var hash = torrent.V1!.Value;
        await service.ModerateAsync(Revoke(ModerationTarget.ForHash(hash)), CancellationToken.None);
        _store.Fail = true;

        await FluentActions.Awaiting(() => service.ModerateAsync(Moderation(ModerationKind.Restore, ModerationTarget.ForHash(hash)), CancellationToken.None))
            .Should().ThrowAsync<SwarmStoreUnavailableException>();
        _list.Get(hash).Should().Be(AccessState.Active, "the restore is recorded and applied on this node");

        _store.Fail = false;
        var retry = await service.ModerateAsync(Moderation(ModerationKind.Restore, ModerationTarget.ForHash(hash)), CancellationToken.None);

        retry.Changed.Should().BeFalse();
        var outcome = await TrackerAnnounceAsync(hash, V4(1));
        outcome.FailureReason.Should().BeNull("a retried restore must lift the store's block too, or the torrent stays refused for good");
    }

    [Test]
    public async Task Repeat_of_a_restore_by_actor_unblocks_only_the_torrents_now_served()
    {
        var service = Service();
        const string Actor = "https://example.social/users/alice";
        var restored = await RegisterAsync(service, actorUri: Actor);
        var stillRevoked = await RegisterAsync(service, actorUri: Actor);
        await service.ModerateAsync(Revoke(ModerationTarget.ForActor(Actor)), CancellationToken.None);
        await service.ModerateAsync(Revoke(ModerationTarget.ForHash(stillRevoked.V1!.Value)), CancellationToken.None);
        _store.Fail = true;
        await FluentActions.Awaiting(() => service.ModerateAsync(Moderation(ModerationKind.Restore, ModerationTarget.ForActor(Actor)), CancellationToken.None))
            .Should().ThrowAsync<SwarmStoreUnavailableException>();
        _store.Fail = false;

        await service.ModerateAsync(Moderation(ModerationKind.Restore, ModerationTarget.ForActor(Actor)), CancellationToken.None);

        (await TrackerAnnounceAsync(restored.V1!.Value, V4(1))).Succeeded.Should().BeTrue();
        (await StoreAnnounceAsync(stillRevoked.V1!.Value, V4(1))).Status.Should().Be(StoreAnnounceStatus.Revoked, "a torrent revoked by its own hash stays blocked in the store");
    }

    [Test]
    public async Task Revoke_by_object_blocks_every_torrent_of_it_and_a_suspension_is_lifted_by_restore()
    {
        var service = Service();
        const string Object = "https://example.social/notes/1";
        var a = await RegisterAsync(service, objectUri: Object);
        var b = await RegisterAsync(service, objectUri: Object, hybrid: true);
        var other = await RegisterAsync(service);
        await SeedAsync(other.V1!.Value, 2);

        await service.ModerateAsync(Moderation(ModerationKind.Suspend, ModerationTarget.ForObject(Object)), CancellationToken.None);

        foreach (var hash in new[] { a.V1!.Value, b.V1!.Value, b.V2!.Value })
        {
            _list.Get(hash).Should().Be(AccessState.Suspended);
            (await StoreAnnounceAsync(hash, V4(9))).Status.Should().Be(StoreAnnounceStatus.Revoked);
            var outcome = await TrackerAnnounceAsync(hash, V4(9));
            outcome.FailureReason.Should().Be(FailureReasons.Suspended);
            outcome.RetryNever.Should().BeFalse();
        }

        (await TrackerAnnounceAsync(other.V1!.Value, V4(9))).PeerCount.Should().Be(2, "another torrent is untouched");

        await service.ModerateAsync(Moderation(ModerationKind.Restore, ModerationTarget.ForObject(Object)), CancellationToken.None);

        foreach (var hash in new[] { a.V1!.Value, b.V1!.Value, b.V2!.Value })
        {
            (await TrackerAnnounceAsync(hash, V4(9))).Succeeded.Should().BeTrue();
        }
    }

    [Test]
    public async Task Observer_that_throws_does_not_fail_the_moderation_or_stop_the_next_observer()
    {
        var failing = new RecordingObserver((_, _) => throw new InvalidOperationException("federation outbox is down"));
        var healthy = new RecordingObserver((_, _) => Task.CompletedTask);
        var service = Service(failing, healthy);
        var torrent = await RegisterAsync(service);

        var result = await service.ModerateAsync(Revoke(ModerationTarget.ForHash(torrent.V1!.Value)), CancellationToken.None);

        result.Changed.Should().BeTrue();
        _list.Get(torrent.V1!.Value).Should().Be(AccessState.Revoked);
        (await StoreAnnounceAsync(torrent.V1!.Value, V4(1))).Status.Should().Be(StoreAnnounceStatus.Revoked);
        healthy.Moderations.Should().Be(1);
        healthy.AccessChanges.Should().Be(2);
        failing.AccessChanges.Should().Be(2, "it was asked, and failed, each time");
    }

    [Test]
    public async Task Revoke_of_an_unregistered_hash_blocks_it_in_the_store_too()
    {
        var service = Service();
        var hash = NewInfoHash();
        await SeedAsync(hash, 2);

        var result = await service.ModerateAsync(Revoke(ModerationTarget.ForHash(hash)), CancellationToken.None);

        result.Blocked.Should().Equal([hash]);
        _memory.PeerCount.Should().Be(0);
        (await StoreAnnounceAsync(hash, V4(1))).Status.Should().Be(StoreAnnounceStatus.Revoked);
        var registration = await service.RegisterAsync(new TorrentRegistration { V1 = hash, Name = "again" }, Admin, ModerationSource.Admin, CancellationToken.None);
        registration.Outcome.Should().Be(RegisterOutcome.Blocked);
    }

    private ModerationService Service(params IRegistryObserver[] observers) =>
        new(_registry, _store, _sync, observers, new RegistryMetrics(new StandaloneMeterFactory(), _list), NullLogger<ModerationService>.Instance);

    private static async Task<TorrentRecord> RegisterAsync(ModerationService service, bool hybrid = false, string? objectUri = null, string? actorUri = null)
    {
        var registration = new TorrentRegistration
        {
            V1 = NewInfoHash(),
            V2 = hybrid ? NewInfoHash() : null,
            Name = "video.mp4",
            ObjectUri = objectUri ?? "https://example.social/notes/" + Guid.NewGuid().ToString("N"),
            MediaUrl = "https://example.social/media/" + Guid.NewGuid().ToString("N") + ".mp4",
            ActorUri = actorUri ?? "https://example.social/users/" + Guid.NewGuid().ToString("N")[..8],
        };
        var result = await service.RegisterAsync(registration, Admin, ModerationSource.Admin, CancellationToken.None);
        result.Outcome.Should().Be(RegisterOutcome.Created);
        return result.Torrent!;
    }

    private static ModerationRequest Revoke(ModerationTarget target) => Moderation(ModerationKind.Revoke, target);

    private static ModerationRequest Moderation(ModerationKind kind, ModerationTarget target) => new(kind, target, "test: " + kind, ModerationSource.Admin, Admin);

    private async Task SeedAsync(InfoHash hash, int peers)
    {
        for (var i = 0; i < peers; i++)
        {
            (await StoreAnnounceAsync(hash, V4(1_000 + i), left: i == 0 ? 0 : LeecherLeft)).Status.Should().Be(StoreAnnounceStatus.Ok);
        }
    }

    private async Task<StoreAnnounceResult> StoreAnnounceAsync(InfoHash hash, PeerEndpoint endpoint, long left = LeecherLeft) =>
        await _memory.AnnounceAsync(Request(hash, endpoint, left, AnnounceEvent.Started), new PeerEntry[50], CancellationToken.None);

    private async Task<AnnounceOutcome> TrackerAnnounceAsync(InfoHash hash, PeerEndpoint endpoint) =>
        await _tracker.AnnounceAsync(Transport.Http, Request(hash, endpoint, LeecherLeft, AnnounceEvent.Started), new PeerEntry[50], CancellationToken.None);

    /// <summary>An observer that counts its calls and hands each to a callback (which may throw).</summary>
    private sealed class RecordingObserver(Func<string, ModerationRequest?, Task> callback) : IRegistryObserver
    {
        public int AccessChanges { get; private set; }

        public int Moderations { get; private set; }

        public async ValueTask OnAccessChangedAsync(CancellationToken cancellationToken)
        {
            AccessChanges++;
            await callback("access", null);
        }

        public async ValueTask OnModeratedAsync(ModerationRequest request, ModerationResult result, CancellationToken cancellationToken)
        {
            Moderations++;
            await callback("moderated", request);
        }
    }

    /// <summary>The real store, with block and unblock failing as a store that cannot be reached fails while <see cref="Fail"/> is set.</summary>
    private sealed class FlakySwarmStore(ISwarmStore inner) : ISwarmStore
    {
        private readonly UnavailableSwarmStore _down = new(throwSynchronously: false);

        public bool Fail { get; set; }

        public ValueTask<StoreAnnounceResult> AnnounceAsync(AnnounceRequest request, Memory<PeerEntry> peers, CancellationToken cancellationToken) =>
            inner.AnnounceAsync(request, peers, cancellationToken);

        public ValueTask ScrapeAsync(ReadOnlyMemory<InfoHash> infoHashes, Memory<ScrapeEntry> results, CancellationToken cancellationToken) =>
            inner.ScrapeAsync(infoHashes, results, cancellationToken);

        public ValueTask<int> PurgeAsync(InfoHash infoHash, CancellationToken cancellationToken) =>
            Fail ? _down.PurgeAsync(infoHash, cancellationToken) : inner.PurgeAsync(infoHash, cancellationToken);

        public ValueTask<int> BlockAsync(InfoHash infoHash, CancellationToken cancellationToken) =>
            Fail ? _down.BlockAsync(infoHash, cancellationToken) : inner.BlockAsync(infoHash, cancellationToken);

        public ValueTask UnblockAsync(InfoHash infoHash, CancellationToken cancellationToken) =>
            Fail ? _down.UnblockAsync(infoHash, cancellationToken) : inner.UnblockAsync(infoHash, cancellationToken);
    }
}
