using FediTracker.Core.Registry;
using FediTracker.Protocol;
using static FediTracker.Core.Tests.Swarms.TestPeers;

namespace FediTracker.Storage.Redis.Tests.Registry;

/// <summary>
/// The rules of SEMANTICS.md, checked against the Redis registry on its own (the shared contract suite runs in
/// addition where it exists).
/// </summary>
public abstract partial class RedisRegistryTestsBase
{
    // ---------------------------------------------------------------- register

    [Test]
    public async Task Register_creates_a_record_with_every_field_its_hashes_active_an_audit_entry_and_feed_rows()
    {
        var v1 = NewInfoHash();
        var v2 = NewInfoHash();
        var registration = Torrent(v1, v2) with { Metainfo = new byte[] { 1, 2, 3 } };

        var result = await Registry.RegisterAsync(registration, "alice-token", ModerationSource.ActivityPub, CancellationToken.None);

        result.Outcome.Should().Be(RegisterOutcome.Created);
        result.Torrent.Should().BeEquivalentTo(new TorrentRecord
        {
            Id = 1,
            V1 = v1,
            V2 = v2,
            Name = registration.Name,
            ObjectUri = registration.ObjectUri,
            MediaUrl = registration.MediaUrl,
            ActorUri = registration.ActorUri,
            Length = registration.Length,
            CreatedAt = Time.GetUtcNow(),
            CreatedBy = "alice-token",
            Status = AccessState.Active,
            HasMetainfo = true,
        });
        (await Registry.FindAsync(v2, CancellationToken.None)).Should().BeEquivalentTo(result.Torrent);
        (await Registry.GetStateAsync(v1, CancellationToken.None)).Should().Be(AccessState.Active);
        (await Registry.GetMetainfoAsync(v2, CancellationToken.None)).Should().Equal(1, 2, 3);
        var audit = (await AuditAsync()).Should().ContainSingle().Subject;
        audit.Should().BeEquivalentTo(new { Id = 1L, Action = AuditAction.Register, By = "alice-token", Source = ModerationSource.ActivityPub, Subject = v1.ToHex(), At = Time.GetUtcNow() });
        audit.Detail.Should().Contain(registration.ObjectUri).And.Contain(registration.MediaUrl).And.Contain(registration.ActorUri);
        (await FeedAsync()).Should().Equal(new AccessChange(1, v1, AccessState.Active), new AccessChange(2, v2, AccessState.Active));
    }

    [Test]
    public async Task Register_keeps_absent_fields_null_and_ids_ascend()
    {
        var first = await CreateAsync(new TorrentRegistration { V2 = NewInfoHash() });
        var second = await CreateAsync(Torrent());

        first.Should().BeEquivalentTo(new { Id = 1L, V1 = (InfoHash?)null, Name = (string?)null, ObjectUri = (string?)null, MediaUrl = (string?)null, ActorUri = (string?)null, Length = (long?)null, HasMetainfo = false });
        second.Id.Should().Be(2);
        (await Registry.GetMetainfoAsync(first.V2!.Value, CancellationToken.None)).Should().BeNull();
        (await AuditAsync()).Select(a => a.Subject).Should().Equal(first.V2!.Value.ToHex(), second.V1!.Value.ToHex());
    }

    [Test]
    public async Task Register_refuses_no_hash_and_equal_hashes_with_argument_exception_and_writes_nothing()
    {
        var hash = NewInfoHash();
        var none = () => Registry.RegisterAsync(new TorrentRegistration { Name = "x" }, "admin", ModerationSource.Admin, CancellationToken.None);
        var same = () => Registry.RegisterAsync(new TorrentRegistration { V1 = hash, V2 = hash }, "admin", ModerationSource.Admin, CancellationToken.None);

        await none.Should().ThrowAsync<ArgumentException>();
        await same.Should().ThrowAsync<ArgumentException>();
        (await FeedAsync()).Should().BeEmpty();
        (await AuditAsync()).Should().BeEmpty();
    }

    [Test]
    public async Task Register_again_with_the_same_links_is_already_registered_and_writes_nothing()
    {
        var registration = Torrent(NewInfoHash(), NewInfoHash());
        var created = await CreateAsync(registration);
        var feed = await FeedAsync();

        var again = await Registry.RegisterAsync(registration with { Name = "other name" }, "admin", ModerationSource.Admin, CancellationToken.None);

        again.Outcome.Should().Be(RegisterOutcome.AlreadyRegistered);
        again.Torrent.Should().BeEquivalentTo(created);
        (await FeedAsync()).Should().Equal(feed);
        (await AuditAsync()).Should().ContainSingle();
    }

    [Test]
    public async Task Register_of_a_carried_hash_with_other_links_or_other_hashes_is_a_conflict()
    {
        var v1 = NewInfoHash();
        var v2 = NewInfoHash();
        var registration = Torrent(v1, v2);
        var created = await CreateAsync(registration);

        var otherObject = await Registry.RegisterAsync(registration with { ObjectUri = "https://example.social/notes/other" }, "admin", ModerationSource.Admin, CancellationToken.None);
        var onlyV1 = await Registry.RegisterAsync(registration with { V2 = null }, "admin", ModerationSource.Admin, CancellationToken.None);
        var newV1 = await Registry.RegisterAsync(registration with { V1 = NewInfoHash() }, "admin", ModerationSource.Admin, CancellationToken.None);

        foreach (var result in new[] { otherObject, onlyV1, newV1 })
        {
            result.Outcome.Should().Be(RegisterOutcome.Conflict);
            result.Torrent!.Id.Should().Be(created.Id);
        }

        (await AuditAsync()).Should().ContainSingle();
    }

    [Test]
    public async Task Register_of_a_blocked_hash_object_or_actor_is_blocked()
    {
        var bare = NewInfoHash();
        await ModerateAsync(ModerationKind.Revoke, ModerationTarget.ForHash(bare));
        await ModerateAsync(ModerationKind.Suspend, ModerationTarget.ForObject("https://example.social/notes/gone"));
        await ModerateAsync(ModerationKind.Revoke, ModerationTarget.ForActor("https://example.social/users/banned"));
        var audited = (await AuditAsync()).Count;

        var byHash = await Registry.RegisterAsync(Torrent(bare), "admin", ModerationSource.Admin, CancellationToken.None);
        var byObject = await Registry.RegisterAsync(Torrent(objectUri: "https://example.social/notes/gone"), "admin", ModerationSource.Admin, CancellationToken.None);
        var byActor = await Registry.RegisterAsync(Torrent(actorUri: "https://example.social/users/banned"), "admin", ModerationSource.Admin, CancellationToken.None);

        byHash.Should().BeEquivalentTo(new { Outcome = RegisterOutcome.Blocked, Torrent = (TorrentRecord?)null });
        byHash.Detail.Should().Contain(bare.ToHex()).And.Contain("revoked");
        byObject.Outcome.Should().Be(RegisterOutcome.Blocked);
        byObject.Detail.Should().Contain("notes/gone").And.Contain("suspended");
        byActor.Outcome.Should().Be(RegisterOutcome.Blocked);
        byActor.Detail.Should().Contain("users/banned");
        (await AuditAsync()).Should().HaveCount(audited);
        (await Registry.ListAsync(new TorrentQuery(), CancellationToken.None)).Items.Should().BeEmpty();
    }

    // ---------------------------------------------------------------- moderate

    [Test]
    public async Task Revoke_by_one_hash_blocks_the_whole_torrent_records_audits_and_feeds_and_a_repeat_changes_nothing()
    {
        var torrent = await CreateAsync(Torrent(NewInfoHash(), NewInfoHash()));
        Time.Advance(TimeSpan.FromMinutes(5));

        var result = await ModerateAsync(ModerationKind.Revoke, ModerationTarget.ForHash(torrent.V2!.Value), "takedown");

        result.Changed.Should().BeTrue();
        result.Blocked.Should().Equal(torrent.V1!.Value, torrent.V2!.Value);
        result.Unblocked.Should().BeEmpty();
        result.Record.Should().BeEquivalentTo(new ModerationRecord
        {
            Id = 1,
            Kind = ModerationKind.Revoke,
            Target = ModerationTarget.ForHash(torrent.V2!.Value),
            Reason = "takedown",
            Source = ModerationSource.Admin,
            By = "mod",
            At = Time.GetUtcNow(),
            Hashes = [torrent.V1!.Value, torrent.V2!.Value],
        });
        (await Registry.FindAsync(torrent.V1!.Value, CancellationToken.None)).Should().BeEquivalentTo(torrent with
        {
            Status = AccessState.Revoked,
            StatusModerationId = 1,
            StatusReason = "takedown",
            StatusChangedAt = Time.GetUtcNow(),
        });
        (await FeedAsync(after: 2)).Should().Equal(new AccessChange(3, torrent.V1!.Value, AccessState.Revoked), new AccessChange(4, torrent.V2!.Value, AccessState.Revoked));
        (await AuditAsync()).Last().Should().BeEquivalentTo(new { Action = AuditAction.Revoke, Subject = torrent.V2!.Value.ToHex(), Detail = "takedown", By = "mod" });

        var repeat = await ModerateAsync(ModerationKind.Revoke, ModerationTarget.ForHash(torrent.V2!.Value), "again");

        repeat.Changed.Should().BeFalse();
        repeat.Record!.Id.Should().Be(1);
        repeat.Blocked.Should().BeEmpty();
        (await AuditAsync()).Should().HaveCount(2);
        (await Registry.ListModerationsAsync(0, 100, CancellationToken.None)).Items.Should().ContainSingle();
        (await FeedAsync(after: 4)).Should().BeEmpty();
    }

    [Test]
    public async Task Suspension_is_overridden_by_revocation_and_never_weakens_one()
    {
        var torrent = await CreateAsync(Torrent());
        var target = ModerationTarget.ForHash(torrent.V1!.Value);

        (await ModerateAsync(ModerationKind.Suspend, target)).Blocked.Should().Equal(torrent.V1!.Value);
        (await ModerateAsync(ModerationKind.Revoke, target)).Blocked.Should().Equal(torrent.V1!.Value);
        var weaker = await ModerateAsync(ModerationKind.Suspend, target);

        weaker.Changed.Should().BeFalse();
        weaker.Record!.Kind.Should().Be(ModerationKind.Revoke);
        (await Registry.GetStateAsync(torrent.V1!.Value, CancellationToken.None)).Should().Be(AccessState.Revoked);
    }

    [Test]
    public async Task Restore_of_an_actor_restores_only_torrents_it_blocked()
    {
        const string Actor = "https://example.social/users/bob";
        var plain = await CreateAsync(Torrent(actorUri: Actor));
        var alsoRevokedByObject = await CreateAsync(Torrent(actorUri: Actor));
        var elsewhere = await CreateAsync(Torrent());
        await ModerateAsync(ModerationKind.Suspend, ModerationTarget.ForActor(Actor));
        await ModerateAsync(ModerationKind.Revoke, ModerationTarget.ForObject(alsoRevokedByObject.ObjectUri!));

        var blockedLater = await Registry.RegisterAsync(Torrent(actorUri: Actor), "admin", ModerationSource.Admin, CancellationToken.None);
        var restore = await ModerateAsync(ModerationKind.Restore, ModerationTarget.ForActor(Actor), "appeal");

        blockedLater.Outcome.Should().Be(RegisterOutcome.Blocked);
        restore.Changed.Should().BeTrue();
        restore.Unblocked.Should().Equal(plain.V1!.Value);
        restore.Record!.Kind.Should().Be(ModerationKind.Restore);
        (await Registry.FindAsync(plain.V1!.Value, CancellationToken.None))!.Status.Should().Be(AccessState.Active);
        (await Registry.FindAsync(alsoRevokedByObject.V1!.Value, CancellationToken.None))!.Status.Should().Be(AccessState.Revoked);
        (await Registry.FindAsync(elsewhere.V1!.Value, CancellationToken.None))!.Status.Should().Be(AccessState.Active);
        (await Registry.RegisterAsync(Torrent(actorUri: Actor), "admin", ModerationSource.Admin, CancellationToken.None)).Outcome.Should().Be(RegisterOutcome.Created);
        (await ModerateAsync(ModerationKind.Restore, ModerationTarget.ForActor(Actor))).Should().BeEquivalentTo(new ModerationResult(false, null, [], []));
    }

    [Test]
    public async Task Restore_of_an_object_drops_its_torrent_to_a_weaker_block_still_in_force_without_unblocking_it()
    {
        const string Actor = "https://example.social/users/erin";
        var torrent = await CreateAsync(Torrent(actorUri: Actor));
        await ModerateAsync(ModerationKind.Revoke, ModerationTarget.ForObject(torrent.ObjectUri!));
        Time.Advance(TimeSpan.FromMinutes(1));
        var suspension = await ModerateAsync(ModerationKind.Suspend, ModerationTarget.ForActor(Actor), "account suspended");
        Time.Advance(TimeSpan.FromMinutes(1));
        var before = (await FeedAsync()).Last().Version;

        var restore = await ModerateAsync(ModerationKind.Restore, ModerationTarget.ForObject(torrent.ObjectUri!), "appeal");

        suspension.Changed.Should().BeTrue("the actor block is new, though no hash changed");
        suspension.Blocked.Should().BeEmpty();
        restore.Changed.Should().BeTrue();
        restore.Unblocked.Should().BeEmpty("the hash is still refused, now as suspended");
        restore.Record!.Hashes.Should().Equal([torrent.V1!.Value], "its state changed, from revoked to suspended");
        (await Registry.FindAsync(torrent.V1!.Value, CancellationToken.None)).Should().BeEquivalentTo(new
        {
            Status = AccessState.Suspended,
            StatusModerationId = suspension.Record!.Id,
            StatusReason = "account suspended",
            StatusChangedAt = Time.GetUtcNow() - TimeSpan.FromMinutes(1),
        });
        (await FeedAsync(before)).Should().Equal(new AccessChange(before + 1, torrent.V1!.Value, AccessState.Suspended));
    }

    [Test]
    public async Task Restore_by_hash_undoes_any_block_and_a_bare_hash_becomes_a_tombstone()
    {
        var torrent = await CreateAsync(Torrent(actorUri: "https://example.social/users/carol"));
        var bare = NewInfoHash();
        await ModerateAsync(ModerationKind.Revoke, ModerationTarget.ForActor("https://example.social/users/carol"));
        await ModerateAsync(ModerationKind.Suspend, ModerationTarget.ForHash(bare));

        var restored = await ModerateAsync(ModerationKind.Restore, ModerationTarget.ForHash(torrent.V1!.Value));
        var forgotten = await ModerateAsync(ModerationKind.Restore, ModerationTarget.ForHash(bare));

        restored.Unblocked.Should().Equal(torrent.V1!.Value);
        (await Registry.FindAsync(torrent.V1!.Value, CancellationToken.None))!.Should().BeEquivalentTo(new { Status = AccessState.Active, StatusModerationId = restored.Record!.Id });
        forgotten.Unblocked.Should().Equal(bare);
        (await Registry.GetStateAsync(bare, CancellationToken.None)).Should().Be(AccessState.Unknown);
        var feed = await FeedAsync();
        feed.Last().Should().Be(new AccessChange(feed.Last().Version, bare, AccessState.Unknown), "the forgotten hash stays in the feed as a tombstone");
        feed.Should().Contain(c => c.Hash == torrent.V1!.Value && c.State == AccessState.Active);
        (await AuditAsync()).Select(a => a.Action).Should().Equal(AuditAction.Register, AuditAction.Revoke, AuditAction.Suspend, AuditAction.Restore, AuditAction.Restore);
    }

    // ---------------------------------------------------------------- lists and feed

    [Test]
    public async Task List_filters_by_every_set_field_and_pages_by_id()
    {
        const string Actor = "https://example.social/users/dave";
        var mine = new List<TorrentRecord>();
        for (var i = 0; i < 7; i++)
        {
            mine.Add(await CreateAsync(Torrent(actorUri: Actor)));
            await CreateAsync(Torrent());
        }

        await ModerateAsync(ModerationKind.Suspend, ModerationTarget.ForHash(mine[2].V1!.Value));

        var first = await Registry.ListAsync(new TorrentQuery { ActorUri = Actor, Limit = 3 }, CancellationToken.None);
        var second = await Registry.ListAsync(new TorrentQuery { ActorUri = Actor, Limit = 3, After = first.Next!.Value }, CancellationToken.None);
        var third = await Registry.ListAsync(new TorrentQuery { ActorUri = Actor, Limit = 3, After = second.Next!.Value }, CancellationToken.None);
        var active = await Registry.ListAsync(new TorrentQuery { ActorUri = Actor, Status = AccessState.Active }, CancellationToken.None);
        var byMedia = await Registry.ListAsync(new TorrentQuery { MediaUrl = mine[4].MediaUrl, ObjectUri = mine[4].ObjectUri }, CancellationToken.None);
        var clamped = await Registry.ListAsync(new TorrentQuery { Limit = 0 }, CancellationToken.None);

        first.Items.Select(t => t.Id).Should().Equal(mine.Take(3).Select(t => t.Id));
        second.Items.Select(t => t.Id).Should().Equal(mine.Skip(3).Take(3).Select(t => t.Id));
        third.Items.Select(t => t.Id).Should().Equal(mine[6].Id);
        third.Next.Should().BeNull();
        active.Items.Select(t => t.Id).Should().Equal(mine.Where((_, i) => i != 2).Select(t => t.Id));
        byMedia.Items.Should().ContainSingle().Which.Id.Should().Be(mine[4].Id);
        clamped.Items.Should().ContainSingle().Which.Id.Should().Be(1);
        clamped.Next.Should().Be(1);
    }

    [Test]
    public async Task Feed_reads_in_version_order_in_batches_and_reports_the_last_version()
    {
        for (var i = 0; i < 5; i++)
        {
            await CreateAsync(Torrent());
        }

        var first = await Registry.ReadAccessChangesAsync(0, 2, CancellationToken.None);
        var rest = await Registry.ReadAccessChangesAsync(first.LastVersion, 100, CancellationToken.None);
        var none = await Registry.ReadAccessChangesAsync(rest.LastVersion, 100, CancellationToken.None);

        first.Changes.Select(c => c.Version).Should().Equal(1, 2);
        first.LastVersion.Should().Be(2);
        rest.Changes.Select(c => c.Version).Should().Equal(3, 4, 5);
        none.Should().BeEquivalentTo(new AccessChangeBatch([], 5));
    }

    [Test]
    public async Task Moderations_and_audit_page_by_id()
    {
        for (var i = 0; i < 5; i++)
        {
            await ModerateAsync(ModerationKind.Revoke, ModerationTarget.ForHash(NewInfoHash()));
        }

        var page = await Registry.ListModerationsAsync(2, 2, CancellationToken.None);
        var last = await Registry.ListModerationsAsync(4, 2, CancellationToken.None);
        var audit = await Registry.ReadAuditAsync(3, 10, CancellationToken.None);

        page.Items.Select(m => m.Id).Should().Equal(3, 4);
        page.Next.Should().Be(4);
        last.Items.Select(m => m.Id).Should().Equal(5);
        last.Next.Should().BeNull();
        audit.Items.Select(a => a.Id).Should().Equal(4, 5);
    }

    // ---------------------------------------------------------------- passkeys

    [Test]
    public async Task Passkeys_are_added_listed_removed_fed_and_audited()
    {
        var digest = NewDigest();
        var kept = await Registry.AddPasskeyAsync(NewDigest(), "kept", "admin", CancellationToken.None);
        var added = await Registry.AddPasskeyAsync(digest, "bob", "admin", CancellationToken.None);
        var duplicate = () => Registry.AddPasskeyAsync(digest, "again", "admin", CancellationToken.None);

        await duplicate.Should().ThrowAsync<ArgumentException>();
        added.Should().BeEquivalentTo(new PasskeyRecord { Id = 2, Label = "bob", CreatedAt = Time.GetUtcNow(), CreatedBy = "admin" });
        (await Registry.RemovePasskeyAsync(added.Id, "admin", CancellationToken.None)).Should().BeTrue();
        (await Registry.RemovePasskeyAsync(added.Id, "admin", CancellationToken.None)).Should().BeFalse();
        (await Registry.RemovePasskeyAsync(99, "admin", CancellationToken.None)).Should().BeFalse();
        (await Registry.ListPasskeysAsync(CancellationToken.None)).Should().BeEquivalentTo([kept]);

        var feed = await FeedAsync();
        feed.Should().HaveCount(2);
        feed[0].Should().BeEquivalentTo(new { Version = 1L, IsPasskey = true, PasskeyValid = true });
        feed[1].Version.Should().Be(3, "the deleted passkey's row moved to the version of its deletion");
        feed[1].PasskeyDigest.Should().Equal(digest);
        feed[1].PasskeyValid.Should().BeFalse();
        (await AuditAsync()).Select(a => (a.Action, a.Subject)).Should().Equal(
            (AuditAction.PasskeyCreate, "1"), (AuditAction.PasskeyCreate, "2"), (AuditAction.PasskeyDelete, "2"));
    }

    [Test]
    public async Task Access_list_replaying_the_feed_ends_in_the_registry_state()
    {
        var torrent = await CreateAsync(Torrent(NewInfoHash(), NewInfoHash()));
        var other = await CreateAsync(Torrent());
        var bare = NewInfoHash();
        var passkey = new byte[] { 7, 7, 7 };
        await Registry.AddPasskeyAsync(System.Security.Cryptography.SHA256.HashData(passkey), "p", "admin", CancellationToken.None);
        await ModerateAsync(ModerationKind.Suspend, ModerationTarget.ForObject(torrent.ObjectUri!));
        await ModerateAsync(ModerationKind.Revoke, ModerationTarget.ForHash(bare));
        await ModerateAsync(ModerationKind.Restore, ModerationTarget.ForHash(bare));
        var list = new AccessList();

        list.Apply(await Registry.ReadAccessChangesAsync(0, 3, CancellationToken.None));
        list.Apply(await Registry.ReadAccessChangesAsync(list.Version, 1000, CancellationToken.None));

        list.Get(torrent.V1!.Value).Should().Be(AccessState.Suspended);
        list.Get(torrent.V2!.Value).Should().Be(AccessState.Suspended);
        list.Get(other.V1!.Value).Should().Be(AccessState.Active);
        list.Get(bare).Should().Be(AccessState.Unknown);
        list.Count.Should().Be(3);
        list.IsValidPasskey(passkey).Should().BeTrue();
    }
}
