using FediTracker.Core.Registry;
using FediTracker.Protocol;
using Microsoft.Extensions.Time.Testing;
using static FediTracker.Core.Tests.Swarms.TestPeers;

namespace FediTracker.Core.Tests.Registry;

/// <summary>
/// The behaviour every <see cref="ITorrentRegistry"/> must show (src/FediTracker.Core/Registry/SEMANTICS.md), written
/// once and run against each store by a subclass. Each test gets a fresh, empty registry whose clock is a
/// <see cref="FakeTimeProvider"/>; <see cref="ReopenAsync"/> closes it and opens the same storage again, to prove
/// that what a completed write left is still there. The suite talks to the store only through the interface.
/// </summary>
/// <remarks>Split by area: registration and reads here, moderation, the feed and audit log, passkeys, concurrency and
/// durability in the other parts.</remarks>
public abstract partial class TorrentRegistryContract
{
    /// <summary>Where every test's clock starts (whole milliseconds, so stores that keep milliseconds round-trip it).</summary>
    protected static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    protected const string Alice = "https://social.example/users/alice";
    protected const string Bob = "https://social.example/users/bob";
    protected const string Admin = "admin-token";

    private FakeTimeProvider? _time;
    private ITorrentRegistry? _registry;
    private int _sequence;

    protected FakeTimeProvider Time => _time ?? throw new InvalidOperationException("No test is running.");

    /// <summary>The registry under test (a new instance after <see cref="ReopenAsync"/>).</summary>
    protected ITorrentRegistry Registry => _registry ?? throw new InvalidOperationException("No test is running.");

    protected static CancellationToken None => CancellationToken.None;

    /// <summary>A new, empty registry whose clock is <paramref name="time"/>.</summary>
    protected abstract Task<ITorrentRegistry> CreateRegistryAsync(FakeTimeProvider time);

    /// <summary>
    /// Disposes the registry returned last (by <see cref="CreateRegistryAsync"/> or an earlier reopen) and opens the
    /// same storage again with the same clock, as a restarted process would.
    /// </summary>
    protected abstract Task<ITorrentRegistry> ReopenRegistryAsync();

    /// <summary>
    /// Releases the registry after a test (null when a reopen failed) and whatever storage it used. Disposes it by
    /// default; a subclass that made a directory or a server removes it here.
    /// </summary>
    protected virtual async ValueTask DestroyRegistryAsync(ITorrentRegistry? registry)
    {
        switch (registry)
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
    public async Task CreateRegistryForTest()
    {
        _time = new FakeTimeProvider(Start);
        _sequence = 0;
        _registry = await CreateRegistryAsync(_time);
    }

    [TearDown]
    public async Task DestroyRegistryForTest()
    {
        var registry = _registry;
        _registry = null;
        await DestroyRegistryAsync(registry);
    }

    /// <summary>Closes the registry and opens its storage again.</summary>
    protected async Task ReopenAsync()
    {
        _registry = null;
        _registry = await ReopenRegistryAsync();
    }

    // ---------------------------------------------------------------- register

    [Test]
    public async Task Register_creates_an_active_record_with_every_field()
    {
        var registration = NewRegistration(hybrid: true) with { Length = 987_654_321 };

        var result = await Registry.RegisterAsync(registration, Admin, ModerationSource.Admin, None);

        result.Outcome.Should().Be(RegisterOutcome.Created);
        var torrent = result.Torrent!;
        torrent.Id.Should().Be(1, "ids start at 1");
        torrent.V1.Should().Be(registration.V1);
        torrent.V2.Should().Be(registration.V2);
        torrent.Name.Should().Be(registration.Name);
        torrent.ObjectUri.Should().Be(registration.ObjectUri);
        torrent.MediaUrl.Should().Be(registration.MediaUrl);
        torrent.ActorUri.Should().Be(Alice);
        torrent.Length.Should().Be(987_654_321);
        torrent.CreatedAt.Should().Be(Start);
        torrent.CreatedBy.Should().Be(Admin);
        torrent.Status.Should().Be(AccessState.Active);
        torrent.StatusModerationId.Should().BeNull();
        torrent.StatusReason.Should().BeNull();
        torrent.StatusChangedAt.Should().BeNull();
        torrent.HasMetainfo.Should().BeFalse();

        var found = await Registry.FindAsync(registration.V1!.Value, None);
        found.Should().BeEquivalentTo(torrent, "what Find returns is what Register returned");
        (await Registry.GetStateAsync(registration.V1!.Value, None)).Should().Be(AccessState.Active);
        (await Registry.GetStateAsync(registration.V2!.Value, None)).Should().Be(AccessState.Active);
    }

    [Test]
    public async Task Ids_ascend_from_one_in_registration_order()
    {
        var first = await RegisterNewAsync(NewRegistration());
        Time.Advance(TimeSpan.FromSeconds(1));
        var second = await RegisterNewAsync(NewRegistration());
        var third = await RegisterNewAsync(NewRegistration());

        new[] { first.Id, second.Id, third.Id }.Should().Equal(1L, 2L, 3L);
        second.CreatedAt.Should().Be(Start.AddSeconds(1));
    }

    [Test]
    public async Task Register_of_a_v1_only_torrent_is_found_by_v1_and_nothing_else()
    {
        var registration = NewRegistration();

        var created = await RegisterNewAsync(registration);

        created.V2.Should().BeNull();
        created.Hashes.Should().Equal(registration.V1!.Value);
        (await Registry.FindAsync(registration.V1!.Value, None))!.Id.Should().Be(created.Id);
        (await Registry.FindAsync(NewInfoHash(), None)).Should().BeNull();
    }

    [Test]
    public async Task Register_of_a_v2_only_torrent_is_found_by_v2()
    {
        var registration = NewRegistration() with { V1 = null, V2 = NewInfoHash() };

        var created = await RegisterNewAsync(registration);

        created.V1.Should().BeNull();
        created.V2.Should().Be(registration.V2);
        var found = await Registry.FindAsync(registration.V2!.Value, None);
        found!.Id.Should().Be(created.Id);
        found.V2.Should().Be(registration.V2);
        (await Registry.GetStateAsync(registration.V2!.Value, None)).Should().Be(AccessState.Active);
    }

    [Test]
    public async Task Hybrid_torrent_is_found_by_either_hash()
    {
        var registration = NewRegistration(hybrid: true);
        var created = await RegisterNewAsync(registration);

        (await Registry.FindAsync(registration.V1!.Value, None))!.Id.Should().Be(created.Id);
        (await Registry.FindAsync(registration.V2!.Value, None))!.Id.Should().Be(created.Id);
        created.Hashes.Should().Equal(registration.V1!.Value, registration.V2!.Value);
    }

    [Test]
    public async Task Register_without_a_hash_or_with_v1_equal_to_v2_is_refused_and_writes_nothing()
    {
        var hash = NewInfoHash();

        await FluentActions.Awaiting(() => Registry.RegisterAsync(NewRegistration() with { V1 = null }, Admin, ModerationSource.Admin, None))
            .Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => Registry.RegisterAsync(NewRegistration() with { V1 = hash, V2 = hash }, Admin, ModerationSource.Admin, None))
            .Should().ThrowAsync<ArgumentException>();

        (await Registry.FindAsync(hash, None)).Should().BeNull();
        (await Registry.GetStateAsync(hash, None)).Should().Be(AccessState.Unknown);
        (await ReadAllAuditAsync()).Should().BeEmpty();
        (await Registry.ReadAccessChangesAsync(0, 100, None)).Changes.Should().BeEmpty();
    }

    [Test]
    public async Task Same_registration_again_is_already_registered_and_writes_nothing()
    {
        var registration = NewRegistration(hybrid: true);
        var created = await RegisterNewAsync(registration);
        var feed = await Registry.ReadAccessChangesAsync(0, 100, None);
        Time.Advance(TimeSpan.FromMinutes(1));

        var again = await Registry.RegisterAsync(registration with { Name = "another name", Length = 1 }, "someone-else", ModerationSource.ActivityPub, None);

        again.Outcome.Should().Be(RegisterOutcome.AlreadyRegistered, "name and length are not links");
        again.Torrent!.Id.Should().Be(created.Id);
        again.Torrent.Name.Should().Be(registration.Name, "nothing was written");
        again.Torrent.CreatedAt.Should().Be(Start);
        (await ReadAllAuditAsync()).Should().ContainSingle();
        (await Registry.ReadAccessChangesAsync(0, 100, None)).LastVersion.Should().Be(feed.LastVersion);
        (await Registry.ListAsync(new TorrentQuery(), None)).Items.Should().ContainSingle();
    }

    [Test]
    public async Task Same_hash_with_other_links_is_a_conflict_naming_the_existing_record()
    {
        var registration = NewRegistration(hybrid: true);
        var existing = await RegisterNewAsync(registration);
        var version = (await Registry.ReadAccessChangesAsync(0, 100, None)).LastVersion;

        var otherObject = await Registry.RegisterAsync(registration with { ObjectUri = "https://social.example/objects/other" }, Admin, ModerationSource.Admin, None);
        var otherMedia = await Registry.RegisterAsync(registration with { MediaUrl = "https://media.social.example/other.webm" }, Admin, ModerationSource.Admin, None);
        var otherActor = await Registry.RegisterAsync(registration with { ActorUri = Bob }, Admin, ModerationSource.Admin, None);

        foreach (var result in new[] { otherObject, otherMedia, otherActor })
        {
            result.Outcome.Should().Be(RegisterOutcome.Conflict);
            result.Torrent!.Id.Should().Be(existing.Id);
        }

        (await Registry.ListAsync(new TorrentQuery(), None)).Items.Should().ContainSingle();
        (await Registry.ReadAccessChangesAsync(0, 100, None)).LastVersion.Should().Be(version);
        (await ReadAllAuditAsync()).Should().ContainSingle();
    }

    [Test]
    public async Task Registering_a_subset_or_a_superset_of_a_torrents_hashes_is_a_conflict()
    {
        var hybrid = NewRegistration(hybrid: true);
        var existing = await RegisterNewAsync(hybrid);

        var v1Only = await Registry.RegisterAsync(hybrid with { V2 = null }, Admin, ModerationSource.Admin, None);
        var otherV2 = await Registry.RegisterAsync(hybrid with { V2 = NewInfoHash() }, Admin, ModerationSource.Admin, None);
        var v2AsV1 = await Registry.RegisterAsync(NewRegistration() with { V1 = hybrid.V2 }, Admin, ModerationSource.Admin, None);
        var newPlusOld = await Registry.RegisterAsync(hybrid with { V1 = NewInfoHash() }, Admin, ModerationSource.Admin, None);

        v1Only.Outcome.Should().Be(RegisterOutcome.Conflict);
        otherV2.Outcome.Should().Be(RegisterOutcome.Conflict);
        v2AsV1.Outcome.Should().Be(RegisterOutcome.Conflict);
        newPlusOld.Outcome.Should().Be(RegisterOutcome.Conflict);
        new[] { v1Only, otherV2, v2AsV1, newPlusOld }.Select(r => r.Torrent!.Id).Should().AllBeEquivalentTo(existing.Id);
        (await Registry.FindAsync(otherV2.Torrent!.V1!.Value, None))!.V2.Should().Be(hybrid.V2);
        (await Registry.ListAsync(new TorrentQuery(), None)).Items.Should().ContainSingle();
    }

    [Test]
    public async Task Register_of_a_revoked_bare_hash_is_blocked_without_a_record()
    {
        var hash = NewInfoHash();
        await RevokeAsync(ModerationTarget.ForHash(hash));

        var result = await Registry.RegisterAsync(NewRegistration() with { V1 = hash }, Admin, ModerationSource.Admin, None);

        result.Outcome.Should().Be(RegisterOutcome.Blocked);
        result.Torrent.Should().BeNull();
        result.Detail.Should().Contain(hash.ToString());
        (await Registry.FindAsync(hash, None)).Should().BeNull();
        (await Registry.GetStateAsync(hash, None)).Should().Be(AccessState.Revoked);
    }

    [Test]
    public async Task Register_with_a_v2_hash_that_is_suspended_is_blocked()
    {
        var v2 = NewInfoHash();
        await SuspendAsync(ModerationTarget.ForHash(v2));
        var registration = NewRegistration() with { V2 = v2 };

        var result = await Registry.RegisterAsync(registration, Admin, ModerationSource.Admin, None);

        result.Outcome.Should().Be(RegisterOutcome.Blocked);
        result.Detail.Should().Contain(v2.ToString());
        (await Registry.FindAsync(registration.V1!.Value, None)).Should().BeNull("nothing is created when one hash is blocked");
        (await Registry.GetStateAsync(registration.V1!.Value, None)).Should().Be(AccessState.Unknown);
    }

    [Test]
    public async Task Register_of_a_revoked_torrent_again_is_blocked_naming_it()
    {
        var registration = NewRegistration(hybrid: true);
        var existing = await RegisterNewAsync(registration);
        await RevokeAsync(ModerationTarget.ForHash(registration.V1!.Value));

        var result = await Registry.RegisterAsync(registration, Admin, ModerationSource.Admin, None);

        result.Outcome.Should().Be(RegisterOutcome.Blocked, "a revoked hash is refused even with the same links");
        result.Torrent!.Id.Should().Be(existing.Id);
        result.Torrent.Status.Should().Be(AccessState.Revoked);
    }

    [Test]
    public async Task Register_for_a_revoked_object_is_blocked_even_with_new_hashes()
    {
        const string objectUri = "https://social.example/objects/deleted";
        await RevokeAsync(ModerationTarget.ForObject(objectUri));
        var registration = NewRegistration() with { ObjectUri = objectUri };

        var result = await Registry.RegisterAsync(registration, Admin, ModerationSource.ActivityPub, None);

        result.Outcome.Should().Be(RegisterOutcome.Blocked);
        result.Torrent.Should().BeNull();
        result.Detail.Should().Contain(objectUri);
        (await Registry.FindAsync(registration.V1!.Value, None)).Should().BeNull();
        (await Registry.GetStateAsync(registration.V1!.Value, None)).Should().Be(AccessState.Unknown);
        (await Registry.ListAsync(new TorrentQuery(), None)).Items.Should().BeEmpty();
    }

    [Test]
    public async Task Register_for_a_suspended_actor_is_blocked_and_one_for_another_actor_is_not()
    {
        await SuspendAsync(ModerationTarget.ForActor(Bob));

        var bobs = await Registry.RegisterAsync(NewRegistration(Bob), Admin, ModerationSource.ActivityPub, None);
        var alices = await Registry.RegisterAsync(NewRegistration(Alice), Admin, ModerationSource.ActivityPub, None);

        bobs.Outcome.Should().Be(RegisterOutcome.Blocked);
        bobs.Torrent.Should().BeNull();
        bobs.Detail.Should().Contain(Bob);
        alices.Outcome.Should().Be(RegisterOutcome.Created);
    }

    [Test]
    public async Task Register_is_audited_with_who_how_when_and_the_links()
    {
        Time.Advance(TimeSpan.FromSeconds(5));
        var registration = NewRegistration(hybrid: true);
        await Registry.RegisterAsync(registration, "activitypub", ModerationSource.ActivityPub, None);
        var v2Only = NewRegistration() with { V1 = null, V2 = NewInfoHash() };
        await Registry.RegisterAsync(v2Only, Admin, ModerationSource.Admin, None);

        var audit = await ReadAllAuditAsync();

        audit.Should().HaveCount(2);
        var entry = audit[0];
        entry.Id.Should().BeGreaterThan(0);
        entry.Action.Should().Be(AuditAction.Register);
        entry.At.Should().Be(Start.AddSeconds(5));
        entry.By.Should().Be("activitypub");
        entry.Source.Should().Be(ModerationSource.ActivityPub);
        entry.Subject.Should().Be(registration.V1!.Value.ToString(), "the v1 hash names a torrent that has one");
        entry.Detail.Should().Contain(registration.ObjectUri).And.Contain(registration.ActorUri).And.Contain(registration.MediaUrl);
        audit[1].Subject.Should().Be(v2Only.V2!.Value.ToString(), "the v2 hash names a v2-only torrent");
        audit[1].Id.Should().BeGreaterThan(entry.Id);
    }

    // ---------------------------------------------------------------- reads

    [Test]
    public async Task Unknown_hash_has_no_record_no_state_and_no_metainfo()
    {
        var hash = NewInfoHash();

        (await Registry.FindAsync(hash, None)).Should().BeNull();
        (await Registry.GetStateAsync(hash, None)).Should().Be(AccessState.Unknown);
        (await Registry.GetMetainfoAsync(hash, None)).Should().BeNull();
    }

    [Test]
    public async Task Metainfo_is_stored_with_the_torrent_and_served_by_either_hash()
    {
        var metainfo = new byte[70_000];
        Random.Shared.NextBytes(metainfo);
        var registration = NewRegistration(hybrid: true) with { Metainfo = metainfo };
        var without = NewRegistration();

        var created = await RegisterNewAsync(registration);
        await RegisterNewAsync(without);

        created.HasMetainfo.Should().BeTrue();
        (await Registry.FindAsync(registration.V2!.Value, None))!.HasMetainfo.Should().BeTrue();
        (await Registry.GetMetainfoAsync(registration.V1!.Value, None)).Should().Equal(metainfo);
        (await Registry.GetMetainfoAsync(registration.V2!.Value, None)).Should().Equal(metainfo);
        (await Registry.GetMetainfoAsync(without.V1!.Value, None)).Should().BeNull();
        (await Registry.FindAsync(without.V1!.Value, None))!.HasMetainfo.Should().BeFalse();
    }

    [Test]
    public async Task List_returns_everything_by_ascending_id_when_no_filter_is_set()
    {
        var registered = new List<TorrentRecord>();
        for (var i = 0; i < 4; i++)
        {
            registered.Add(await RegisterNewAsync(NewRegistration()));
        }

        var page = await Registry.ListAsync(new TorrentQuery(), None);

        page.Items.Select(t => t.Id).Should().Equal(registered.Select(t => t.Id));
        page.Items[2].V1.Should().Be(registered[2].V1);
        page.Next.Should().BeNull("the page is not full");
    }

    [Test]
    public async Task List_filters_by_object_actor_media_url_and_status()
    {
        var shared = NewRegistration(Alice);
        var a1 = await RegisterNewAsync(shared);
        var a2 = await RegisterNewAsync(NewRegistration(Alice) with { ObjectUri = shared.ObjectUri });
        var b1 = await RegisterNewAsync(NewRegistration(Bob));
        var b2 = await RegisterNewAsync(NewRegistration(Bob) with { MediaUrl = shared.MediaUrl });
        await RevokeAsync(ModerationTarget.ForHash(b1.V1!.Value));
        await SuspendAsync(ModerationTarget.ForHash(a2.V1!.Value));

        (await ListIdsAsync(new TorrentQuery { ObjectUri = shared.ObjectUri })).Should().Equal(a1.Id, a2.Id);
        (await ListIdsAsync(new TorrentQuery { ActorUri = Bob })).Should().Equal(b1.Id, b2.Id);
        (await ListIdsAsync(new TorrentQuery { MediaUrl = shared.MediaUrl })).Should().Equal(a1.Id, b2.Id);
        (await ListIdsAsync(new TorrentQuery { Status = AccessState.Active })).Should().Equal(a1.Id, b2.Id);
        (await ListIdsAsync(new TorrentQuery { Status = AccessState.Revoked })).Should().Equal(b1.Id);
        (await ListIdsAsync(new TorrentQuery { Status = AccessState.Suspended })).Should().Equal(a2.Id);
        (await ListIdsAsync(new TorrentQuery { ActorUri = Alice, Status = AccessState.Active })).Should().Equal(a1.Id);
        (await ListIdsAsync(new TorrentQuery { ActorUri = Bob, MediaUrl = shared.MediaUrl })).Should().Equal(b2.Id);
        (await ListIdsAsync(new TorrentQuery { ObjectUri = "https://social.example/objects/none" })).Should().BeEmpty();
        (await Registry.ListAsync(new TorrentQuery { Status = AccessState.Revoked }, None)).Items[0].Status.Should().Be(AccessState.Revoked);
    }

    [Test]
    public async Task List_pages_by_id_with_a_next_cursor_while_pages_are_full()
    {
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await RegisterNewAsync(NewRegistration())).Id);
        }

        var first = await Registry.ListAsync(new TorrentQuery { Limit = 2 }, None);
        var second = await Registry.ListAsync(new TorrentQuery { Limit = 2, After = first.Next!.Value }, None);
        var third = await Registry.ListAsync(new TorrentQuery { Limit = 2, After = second.Next!.Value }, None);
        var exact = await Registry.ListAsync(new TorrentQuery { Limit = 5 }, None);
        var after = await Registry.ListAsync(new TorrentQuery { Limit = 2, After = exact.Next!.Value }, None);

        first.Items.Select(t => t.Id).Should().Equal(ids[0], ids[1]);
        first.Next.Should().Be(ids[1]);
        second.Items.Select(t => t.Id).Should().Equal(ids[2], ids[3]);
        second.Next.Should().Be(ids[3]);
        third.Items.Select(t => t.Id).Should().Equal(ids[4]);
        third.Next.Should().BeNull();
        exact.Next.Should().Be(ids[4], "a full page may have more after it");
        after.Items.Should().BeEmpty();
        after.Next.Should().BeNull();
    }

    [Test]
    public async Task List_clamps_the_limit_to_at_least_one()
    {
        var first = await RegisterNewAsync(NewRegistration());
        await RegisterNewAsync(NewRegistration());

        var zero = await Registry.ListAsync(new TorrentQuery { Limit = 0 }, None);
        var negative = await Registry.ListAsync(new TorrentQuery { Limit = -5 }, None);
        var huge = await Registry.ListAsync(new TorrentQuery { Limit = int.MaxValue }, None);

        zero.Items.Select(t => t.Id).Should().Equal(first.Id);
        zero.Next.Should().Be(first.Id);
        negative.Items.Should().ContainSingle();
        huge.Items.Should().HaveCount(2);
        huge.Next.Should().BeNull();
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>A registration with a fresh random v1 (and v2 when hybrid), its own object and media URL, by <paramref name="actor"/>.</summary>
    protected TorrentRegistration NewRegistration(string actor = Alice, bool hybrid = false)
    {
        var n = Interlocked.Increment(ref _sequence);
        return new TorrentRegistration
        {
            V1 = NewInfoHash(),
            V2 = hybrid ? NewInfoHash() : null,
            Name = $"clip-{n}.webm",
            ObjectUri = $"https://social.example/objects/{n}",
            MediaUrl = $"https://media.social.example/attachments/{n}.webm",
            ActorUri = actor,
            Length = 1_000_000 + n,
        };
    }

    /// <summary>Registers and checks that a record was created.</summary>
    protected async Task<TorrentRecord> RegisterNewAsync(TorrentRegistration registration)
    {
        var result = await Registry.RegisterAsync(registration, Admin, ModerationSource.Admin, None);
        result.Outcome.Should().Be(RegisterOutcome.Created, result.Detail);
        return result.Torrent!;
    }

    protected Task<ModerationResult> RevokeAsync(ModerationTarget target, string reason = "deleted by its author", ModerationSource source = ModerationSource.Admin, string by = "moderator") =>
        Registry.ModerateAsync(new ModerationRequest(ModerationKind.Revoke, target, reason, source, by), None);

    protected Task<ModerationResult> SuspendAsync(ModerationTarget target, string reason = "account suspended", ModerationSource source = ModerationSource.Admin, string by = "moderator") =>
        Registry.ModerateAsync(new ModerationRequest(ModerationKind.Suspend, target, reason, source, by), None);

    protected Task<ModerationResult> RestoreAsync(ModerationTarget target, string reason = "appeal granted", ModerationSource source = ModerationSource.Admin, string by = "admin") =>
        Registry.ModerateAsync(new ModerationRequest(ModerationKind.Restore, target, reason, source, by), None);

    protected async Task<List<long>> ListIdsAsync(TorrentQuery query) =>
        [.. (await Registry.ListAsync(query, None)).Items.Select(t => t.Id)];

    /// <summary>The whole audit log, read page by page.</summary>
    protected async Task<List<AuditEntry>> ReadAllAuditAsync()
    {
        var all = new List<AuditEntry>();
        long after = 0;
        while (true)
        {
            var page = await Registry.ReadAuditAsync(after, 2, None);
            all.AddRange(page.Items);
            if (page.Next is not { } next)
            {
                return all;
            }

            after = next;
        }
    }

    /// <summary>Every moderation record, read page by page.</summary>
    protected async Task<List<ModerationRecord>> ReadAllModerationsAsync()
    {
        var all = new List<ModerationRecord>();
        long after = 0;
        while (true)
        {
            var page = await Registry.ListModerationsAsync(after, 2, None);
            all.AddRange(page.Items);
            if (page.Next is not { } next)
            {
                return all;
            }

            after = next;
        }
    }

    /// <summary>The whole access feed after <paramref name="afterVersion"/>, read in small batches.</summary>
    protected async Task<List<AccessChange>> ReadFeedAsync(long afterVersion = 0)
    {
        var all = new List<AccessChange>();
        while (true)
        {
            var batch = await Registry.ReadAccessChangesAsync(afterVersion, 3, None);
            all.AddRange(batch.Changes);
            if (batch.Changes.Count == 0)
            {
                return all;
            }

            afterVersion = batch.LastVersion;
        }
    }

    /// <summary>Hex strings, for readable assertions on hash lists.</summary>
    protected static string[] Hex(IEnumerable<InfoHash> hashes) => [.. hashes.Select(h => h.ToString())];

    protected static string[] HexOf(params InfoHash?[] hashes) => [.. hashes.Where(h => h.HasValue).Select(h => h!.Value.ToString())];
}
