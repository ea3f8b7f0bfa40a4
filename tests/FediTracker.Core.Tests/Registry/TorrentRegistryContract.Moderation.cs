using FediTracker.Core.Registry;
using static FediTracker.Core.Tests.Swarms.TestPeers;

namespace FediTracker.Core.Tests.Registry;

/// <summary>Revoke, suspend and restore: targets, precedence, idempotence, records.</summary>
public abstract partial class TorrentRegistryContract
{
    // ---------------------------------------------------------------- revoke and suspend

    [Test]
    public async Task Revoke_by_v1_hash_revokes_every_hash_of_the_torrent_and_records_the_moderation()
    {
        var registration = NewRegistration(hybrid: true);
        var torrent = await RegisterNewAsync(registration);
        Time.Advance(TimeSpan.FromMinutes(3));

        var result = await RevokeAsync(ModerationTarget.ForHash(registration.V1!.Value), "DMCA notice", ModerationSource.Federation, "peer.example");

        result.Changed.Should().BeTrue();
        Hex(result.Blocked).Should().BeEquivalentTo(HexOf(registration.V1, registration.V2));
        result.Unblocked.Should().BeEmpty();
        var record = result.Record!;
        record.Id.Should().BeGreaterThan(0);
        record.Kind.Should().Be(ModerationKind.Revoke);
        record.Target.Should().Be(new ModerationTarget(TargetKind.Hash, registration.V1!.Value.ToString()));
        record.Reason.Should().Be("DMCA notice");
        record.Source.Should().Be(ModerationSource.Federation);
        record.By.Should().Be("peer.example");
        record.At.Should().Be(Start.AddMinutes(3));
        Hex(record.Hashes).Should().BeEquivalentTo(HexOf(registration.V1, registration.V2));

        var after = (await Registry.FindAsync(registration.V2!.Value, None))!;
        after.Id.Should().Be(torrent.Id);
        after.Status.Should().Be(AccessState.Revoked);
        after.StatusModerationId.Should().Be(record.Id);
        after.StatusReason.Should().Be("DMCA notice");
        after.StatusChangedAt.Should().Be(Start.AddMinutes(3));
        (await Registry.GetStateAsync(registration.V1!.Value, None)).Should().Be(AccessState.Revoked);
        (await Registry.GetStateAsync(registration.V2!.Value, None)).Should().Be(AccessState.Revoked);
        (await ReadAllModerationsAsync()).Should().ContainSingle().Which.Should().BeEquivalentTo(record);
    }

    [Test]
    public async Task Revoke_by_v2_hash_revokes_the_v1_hash_too()
    {
        var registration = NewRegistration(hybrid: true);
        await RegisterNewAsync(registration);

        var result = await RevokeAsync(ModerationTarget.ForHash(registration.V2!.Value));

        Hex(result.Blocked).Should().BeEquivalentTo(HexOf(registration.V1, registration.V2));
        (await Registry.GetStateAsync(registration.V1!.Value, None)).Should().Be(AccessState.Revoked);
        (await Registry.FindAsync(registration.V1!.Value, None))!.Status.Should().Be(AccessState.Revoked);
    }

    [Test]
    public async Task Hash_target_is_recorded_as_lowercase_hex_and_a_malformed_one_is_refused()
    {
        var hash = NewInfoHash();

        var result = await RevokeAsync(new ModerationTarget(TargetKind.Hash, hash.ToString().ToUpperInvariant()));
        var repeat = await RevokeAsync(ModerationTarget.ForHash(hash));

        result.Record!.Target.Value.Should().Be(hash.ToString());
        repeat.Changed.Should().BeFalse("upper and lower case name the same hash");
        await FluentActions.Awaiting(() => RevokeAsync(new ModerationTarget(TargetKind.Hash, "not-a-hash"))).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => RevokeAsync(new ModerationTarget(TargetKind.Hash, hash.ToString()[..38]))).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => RevokeAsync(ModerationTarget.ForObject(""))).Should().ThrowAsync<ArgumentException>();
        (await ReadAllModerationsAsync()).Should().ContainSingle();
    }

    [Test]
    public async Task Revoke_of_a_hash_no_torrent_carries_blocks_the_bare_hash()
    {
        var hash = NewInfoHash();

        var result = await RevokeAsync(ModerationTarget.ForHash(hash));

        result.Changed.Should().BeTrue();
        Hex(result.Blocked).Should().Equal(hash.ToString());
        Hex(result.Record!.Hashes).Should().Equal(hash.ToString());
        (await Registry.GetStateAsync(hash, None)).Should().Be(AccessState.Revoked);
        (await Registry.FindAsync(hash, None)).Should().BeNull();
        var feed = await ReadFeedAsync();
        feed.Should().ContainSingle();
        feed[0].Hash.Should().Be(hash);
        feed[0].State.Should().Be(AccessState.Revoked);
    }

    [Test]
    public async Task Revoke_of_an_object_revokes_every_torrent_linked_to_it_and_no_other()
    {
        var first = NewRegistration(hybrid: true);
        var second = NewRegistration() with { ObjectUri = first.ObjectUri };
        var other = NewRegistration();
        var t1 = await RegisterNewAsync(first);
        var t2 = await RegisterNewAsync(second);
        await RegisterNewAsync(other);

        var result = await RevokeAsync(ModerationTarget.ForObject(first.ObjectUri!), "Delete received", ModerationSource.ActivityPub, Alice);

        result.Changed.Should().BeTrue();
        Hex(result.Blocked).Should().BeEquivalentTo(HexOf(first.V1, first.V2, second.V1));
        result.Record!.Target.Should().Be(ModerationTarget.ForObject(first.ObjectUri!));
        (await Registry.FindAsync(first.V1!.Value, None))!.StatusModerationId.Should().Be(result.Record.Id);
        (await Registry.FindAsync(second.V1!.Value, None))!.Status.Should().Be(AccessState.Revoked);
        (await Registry.GetStateAsync(other.V1!.Value, None)).Should().Be(AccessState.Active);
        (await ListIdsAsync(new TorrentQuery { Status = AccessState.Revoked })).Should().Equal(t1.Id, t2.Id);
    }

    [Test]
    public async Task Revoke_of_an_object_with_no_torrent_blocks_later_registrations_only()
    {
        const string objectUri = "https://social.example/objects/gone";

        var result = await RevokeAsync(ModerationTarget.ForObject(objectUri));

        result.Changed.Should().BeTrue("the target block is new");
        result.Blocked.Should().BeEmpty();
        result.Record!.Hashes.Should().BeEmpty();
        (await Registry.RegisterAsync(NewRegistration() with { ObjectUri = objectUri }, Admin, ModerationSource.Admin, None)).Outcome.Should().Be(RegisterOutcome.Blocked);
        (await Registry.ReadAccessChangesAsync(0, 10, None)).Changes.Should().BeEmpty("no hash changed state");
    }

    [Test]
    public async Task Suspend_of_an_actor_suspends_all_their_torrents_and_later_ones()
    {
        var a1 = NewRegistration(Alice);
        var a2 = NewRegistration(Alice, hybrid: true);
        var b1 = NewRegistration(Bob);
        await RegisterNewAsync(a1);
        await RegisterNewAsync(a2);
        await RegisterNewAsync(b1);

        var result = await SuspendAsync(ModerationTarget.ForActor(Alice), "account suspended", ModerationSource.ActivityPub, "https://social.example/actor");

        result.Changed.Should().BeTrue();
        result.Record!.Kind.Should().Be(ModerationKind.Suspend);
        Hex(result.Blocked).Should().BeEquivalentTo(HexOf(a1.V1, a2.V1, a2.V2));
        (await Registry.GetStateAsync(a2.V2!.Value, None)).Should().Be(AccessState.Suspended);
        (await Registry.FindAsync(a1.V1!.Value, None))!.Status.Should().Be(AccessState.Suspended);
        (await Registry.GetStateAsync(b1.V1!.Value, None)).Should().Be(AccessState.Active);
        (await Registry.RegisterAsync(NewRegistration(Alice), Admin, ModerationSource.ActivityPub, None)).Outcome.Should().Be(RegisterOutcome.Blocked);
    }

    [Test]
    public async Task Revoke_overrides_a_suspension()
    {
        var registration = NewRegistration(hybrid: true);
        await RegisterNewAsync(registration);
        var suspension = await SuspendAsync(ModerationTarget.ForHash(registration.V1!.Value));
        Time.Advance(TimeSpan.FromHours(1));

        var revocation = await RevokeAsync(ModerationTarget.ForHash(registration.V1!.Value), "confirmed");

        revocation.Changed.Should().BeTrue();
        revocation.Record!.Id.Should().BeGreaterThan(suspension.Record!.Id);
        Hex(revocation.Blocked).Should().BeEquivalentTo(HexOf(registration.V1, registration.V2), "suspended hashes become revoked");
        var torrent = (await Registry.FindAsync(registration.V1!.Value, None))!;
        torrent.Status.Should().Be(AccessState.Revoked);
        torrent.StatusModerationId.Should().Be(revocation.Record.Id);
        torrent.StatusReason.Should().Be("confirmed");
        torrent.StatusChangedAt.Should().Be(Start.AddHours(1));
        (await Registry.GetStateAsync(registration.V2!.Value, None)).Should().Be(AccessState.Revoked);
    }

    [Test]
    public async Task Suspend_never_weakens_a_revocation_of_the_same_target()
    {
        var registration = NewRegistration();
        await RegisterNewAsync(registration);
        var revocation = await RevokeAsync(ModerationTarget.ForObject(registration.ObjectUri!));
        var audit = (await ReadAllAuditAsync()).Count;
        var version = (await Registry.ReadAccessChangesAsync(0, 100, None)).LastVersion;

        var suspension = await SuspendAsync(ModerationTarget.ForObject(registration.ObjectUri!));

        suspension.Changed.Should().BeFalse();
        suspension.Record!.Id.Should().Be(revocation.Record!.Id, "the revocation already holds the target");
        suspension.Blocked.Should().BeEmpty();
        (await Registry.GetStateAsync(registration.V1!.Value, None)).Should().Be(AccessState.Revoked);
        (await ReadAllModerationsAsync()).Should().ContainSingle();
        (await ReadAllAuditAsync()).Should().HaveCount(audit);
        (await Registry.ReadAccessChangesAsync(0, 100, None)).LastVersion.Should().Be(version);
    }

    [Test]
    public async Task Suspend_of_an_actor_whose_torrent_is_revoked_blocks_the_actor_but_leaves_the_torrent_revoked()
    {
        var registration = NewRegistration(Alice);
        await RegisterNewAsync(registration);
        var revocation = await RevokeAsync(ModerationTarget.ForObject(registration.ObjectUri!));

        var suspension = await SuspendAsync(ModerationTarget.ForActor(Alice));

        suspension.Changed.Should().BeTrue("the actor block is new");
        suspension.Blocked.Should().BeEmpty("no hash got weaker or stronger");
        suspension.Record!.Hashes.Should().BeEmpty();
        var torrent = (await Registry.FindAsync(registration.V1!.Value, None))!;
        torrent.Status.Should().Be(AccessState.Revoked);
        torrent.StatusModerationId.Should().Be(revocation.Record!.Id);
        (await Registry.RegisterAsync(NewRegistration(Alice), Admin, ModerationSource.Admin, None)).Outcome.Should().Be(RegisterOutcome.Blocked);
    }

    [Test]
    public async Task Repeated_revoke_changes_nothing_and_names_the_first_moderation()
    {
        var registration = NewRegistration(hybrid: true);
        await RegisterNewAsync(registration);
        var first = await RevokeAsync(ModerationTarget.ForHash(registration.V1!.Value));
        var audit = (await ReadAllAuditAsync()).Count;
        var version = (await Registry.ReadAccessChangesAsync(0, 100, None)).LastVersion;
        Time.Advance(TimeSpan.FromMinutes(1));

        var again = await RevokeAsync(ModerationTarget.ForHash(registration.V1!.Value), "again");

        again.Changed.Should().BeFalse();
        again.Record!.Id.Should().Be(first.Record!.Id);
        again.Record.Reason.Should().Be(first.Record.Reason);
        again.Blocked.Should().BeEmpty();
        again.Unblocked.Should().BeEmpty();
        (await ReadAllModerationsAsync()).Should().ContainSingle();
        (await ReadAllAuditAsync()).Should().HaveCount(audit);
        (await Registry.ReadAccessChangesAsync(0, 100, None)).LastVersion.Should().Be(version);
        (await Registry.FindAsync(registration.V1!.Value, None))!.StatusChangedAt.Should().Be(Start);
    }

    [Test]
    public async Task Repeated_suspend_of_an_actor_changes_nothing()
    {
        await RegisterNewAsync(NewRegistration(Bob));
        var first = await SuspendAsync(ModerationTarget.ForActor(Bob));

        var again = await SuspendAsync(ModerationTarget.ForActor(Bob));

        again.Changed.Should().BeFalse();
        again.Record!.Id.Should().Be(first.Record!.Id);
        (await ReadAllModerationsAsync()).Should().ContainSingle();
    }

    [Test]
    public async Task Revoke_by_hash_of_a_torrent_already_revoked_by_its_object_only_adds_the_hash_block()
    {
        var registration = NewRegistration();
        await RegisterNewAsync(registration);
        var byObject = await RevokeAsync(ModerationTarget.ForObject(registration.ObjectUri!));

        var byHash = await RevokeAsync(ModerationTarget.ForHash(registration.V1!.Value));
        var again = await RevokeAsync(ModerationTarget.ForHash(registration.V1!.Value));

        byHash.Changed.Should().BeTrue("the hash block is new");
        byHash.Blocked.Should().BeEmpty();
        again.Changed.Should().BeFalse();
        again.Record!.Id.Should().Be(byHash.Record!.Id, "the hash block names the moderation that set it");
        (await Registry.FindAsync(registration.V1!.Value, None))!.StatusModerationId.Should().Be(byObject.Record!.Id);
    }

    [Test]
    public async Task Revoke_upgrades_a_suspended_target_even_when_no_hash_changes()
    {
        const string objectUri = "https://social.example/objects/reported";
        var suspension = await SuspendAsync(ModerationTarget.ForObject(objectUri));

        var revocation = await RevokeAsync(ModerationTarget.ForObject(objectUri));
        var suspendAgain = await SuspendAsync(ModerationTarget.ForObject(objectUri));

        revocation.Changed.Should().BeTrue("the object's block goes from suspended to revoked");
        revocation.Record!.Id.Should().BeGreaterThan(suspension.Record!.Id);
        revocation.Blocked.Should().BeEmpty();
        suspendAgain.Changed.Should().BeFalse();
        suspendAgain.Record!.Id.Should().Be(revocation.Record.Id, "the revocation holds the target now");
        suspendAgain.Record.Kind.Should().Be(ModerationKind.Revoke);
    }

    // ---------------------------------------------------------------- restore

    [Test]
    public async Task Restore_by_hash_makes_a_revoked_torrent_active_again()
    {
        var registration = NewRegistration(hybrid: true);
        await RegisterNewAsync(registration);
        await RevokeAsync(ModerationTarget.ForHash(registration.V2!.Value));
        Time.Advance(TimeSpan.FromDays(1));

        var result = await RestoreAsync(ModerationTarget.ForHash(registration.V1!.Value), "mistake", ModerationSource.Admin, "root");

        result.Changed.Should().BeTrue();
        result.Blocked.Should().BeEmpty();
        Hex(result.Unblocked).Should().BeEquivalentTo(HexOf(registration.V1, registration.V2));
        var record = result.Record!;
        record.Kind.Should().Be(ModerationKind.Restore);
        record.Reason.Should().Be("mistake");
        record.By.Should().Be("root");
        record.At.Should().Be(Start.AddDays(1));
        Hex(record.Hashes).Should().BeEquivalentTo(HexOf(registration.V1, registration.V2));
        var torrent = (await Registry.FindAsync(registration.V1!.Value, None))!;
        torrent.Status.Should().Be(AccessState.Active);
        torrent.StatusModerationId.Should().Be(record.Id);
        torrent.StatusReason.Should().Be("mistake");
        torrent.StatusChangedAt.Should().Be(Start.AddDays(1));
        (await Registry.GetStateAsync(registration.V2!.Value, None)).Should().Be(AccessState.Active);
        (await Registry.RegisterAsync(registration, Admin, ModerationSource.Admin, None)).Outcome.Should().Be(RegisterOutcome.AlreadyRegistered);
    }

    [Test]
    public async Task Restore_by_hash_removes_the_hash_blocks_so_a_new_revoke_changes_again()
    {
        var registration = NewRegistration(hybrid: true);
        await RegisterNewAsync(registration);
        await RevokeAsync(ModerationTarget.ForHash(registration.V1!.Value));
        await RestoreAsync(ModerationTarget.ForHash(registration.V2!.Value));

        var again = await RevokeAsync(ModerationTarget.ForHash(registration.V1!.Value));
        var restoredTwice = await RestoreAsync(ModerationTarget.ForHash(registration.V1!.Value));
        var nothingLeft = await RestoreAsync(ModerationTarget.ForHash(registration.V1!.Value));

        again.Changed.Should().BeTrue();
        Hex(again.Blocked).Should().BeEquivalentTo(HexOf(registration.V1, registration.V2));
        restoredTwice.Changed.Should().BeTrue();
        nothingLeft.Changed.Should().BeFalse();
        nothingLeft.Record.Should().BeNull();
        (await ReadAllModerationsAsync()).Should().HaveCount(4);
    }

    [Test]
    public async Task Restore_by_hash_undoes_a_block_set_by_any_target()
    {
        var registration = NewRegistration(Alice);
        await RegisterNewAsync(registration);
        await SuspendAsync(ModerationTarget.ForActor(Alice));

        var result = await RestoreAsync(ModerationTarget.ForHash(registration.V1!.Value));

        result.Changed.Should().BeTrue();
        Hex(result.Unblocked).Should().Equal(registration.V1!.Value.ToString());
        (await Registry.GetStateAsync(registration.V1!.Value, None)).Should().Be(AccessState.Active);
        (await Registry.RegisterAsync(NewRegistration(Alice), Admin, ModerationSource.Admin, None)).Outcome
            .Should().Be(RegisterOutcome.Blocked, "the actor block itself stays");
    }

    [Test]
    public async Task Restore_of_a_bare_hash_forgets_it()
    {
        var hash = NewInfoHash();
        var revocation = await RevokeAsync(ModerationTarget.ForHash(hash));

        var result = await RestoreAsync(ModerationTarget.ForHash(hash));

        result.Changed.Should().BeTrue();
        Hex(result.Unblocked).Should().Equal(hash.ToString());
        result.Record!.Id.Should().BeGreaterThan(revocation.Record!.Id);
        (await Registry.GetStateAsync(hash, None)).Should().Be(AccessState.Unknown);
        var feed = await ReadFeedAsync();
        feed.Should().ContainSingle("one row per hash, at its latest state");
        feed[0].State.Should().Be(AccessState.Unknown);
        (await Registry.RegisterAsync(NewRegistration() with { V1 = hash }, Admin, ModerationSource.Admin, None)).Outcome.Should().Be(RegisterOutcome.Created);
    }

    [Test]
    public async Task Restore_of_something_never_blocked_changes_nothing()
    {
        var registration = NewRegistration();
        await RegisterNewAsync(registration);
        var version = (await Registry.ReadAccessChangesAsync(0, 100, None)).LastVersion;

        var byHash = await RestoreAsync(ModerationTarget.ForHash(registration.V1!.Value));
        var byBareHash = await RestoreAsync(ModerationTarget.ForHash(NewInfoHash()));
        var byObject = await RestoreAsync(ModerationTarget.ForObject(registration.ObjectUri!));
        var byActor = await RestoreAsync(ModerationTarget.ForActor(Alice));

        foreach (var result in new[] { byHash, byBareHash, byObject, byActor })
        {
            result.Changed.Should().BeFalse();
            result.Record.Should().BeNull();
            result.Unblocked.Should().BeEmpty();
        }

        (await ReadAllModerationsAsync()).Should().BeEmpty();
        (await ReadAllAuditAsync()).Should().ContainSingle("only the registration");
        (await Registry.ReadAccessChangesAsync(0, 100, None)).LastVersion.Should().Be(version);
    }

    [Test]
    public async Task Restore_of_an_object_unblocks_its_torrents_but_not_those_blocked_by_another_target()
    {
        var first = NewRegistration();
        var second = NewRegistration() with { ObjectUri = first.ObjectUri };
        await RegisterNewAsync(first);
        await RegisterNewAsync(second);
        var byHash = await RevokeAsync(ModerationTarget.ForHash(second.V1!.Value));
        await RevokeAsync(ModerationTarget.ForObject(first.ObjectUri!));

        var result = await RestoreAsync(ModerationTarget.ForObject(first.ObjectUri!));

        result.Changed.Should().BeTrue();
        Hex(result.Unblocked).Should().Equal(first.V1!.Value.ToString());
        (await Registry.GetStateAsync(first.V1!.Value, None)).Should().Be(AccessState.Active);
        var stillRevoked = (await Registry.FindAsync(second.V1!.Value, None))!;
        stillRevoked.Status.Should().Be(AccessState.Revoked);
        stillRevoked.StatusModerationId.Should().Be(byHash.Record!.Id);
        (await Registry.RegisterAsync(NewRegistration() with { ObjectUri = first.ObjectUri }, Admin, ModerationSource.Admin, None)).Outcome
            .Should().Be(RegisterOutcome.Created, "the object block is gone");
    }

    [Test]
    public async Task Restore_of_an_object_never_blocked_leaves_a_torrent_revoked_by_hash_alone()
    {
        var registration = NewRegistration();
        await RegisterNewAsync(registration);
        var byHash = await RevokeAsync(ModerationTarget.ForHash(registration.V1!.Value));
        var version = (await Registry.ReadAccessChangesAsync(0, 100, None)).LastVersion;

        var result = await RestoreAsync(ModerationTarget.ForObject(registration.ObjectUri!));

        result.Changed.Should().BeFalse("the object was never the target of a moderation");
        result.Record.Should().BeNull();
        var torrent = (await Registry.FindAsync(registration.V1!.Value, None))!;
        torrent.Status.Should().Be(AccessState.Revoked);
        torrent.StatusModerationId.Should().Be(byHash.Record!.Id);
        (await Registry.ReadAccessChangesAsync(0, 100, None)).LastVersion.Should().Be(version);
        (await ReadAllModerationsAsync()).Should().ContainSingle();
    }

    [Test]
    public async Task Hash_block_lifted_by_a_restore_does_not_hold_the_torrent_after_its_object_is_restored()
    {
        var registration = NewRegistration();
        await RegisterNewAsync(registration);
        await RevokeAsync(ModerationTarget.ForHash(registration.V1!.Value));
        await RestoreAsync(ModerationTarget.ForHash(registration.V1!.Value));
        await RevokeAsync(ModerationTarget.ForObject(registration.ObjectUri!));

        var result = await RestoreAsync(ModerationTarget.ForObject(registration.ObjectUri!));

        Hex(result.Unblocked).Should().Equal(registration.V1!.Value.ToString());
        (await Registry.FindAsync(registration.V1!.Value, None))!.Status.Should().Be(AccessState.Active);
    }

    [Test]
    public async Task Restore_of_an_actor_does_not_undo_an_object_revocation()
    {
        var deleted = NewRegistration(Alice);
        var kept = NewRegistration(Alice, hybrid: true);
        await RegisterNewAsync(deleted);
        await RegisterNewAsync(kept);
        var revocation = await RevokeAsync(ModerationTarget.ForObject(deleted.ObjectUri!));
        await SuspendAsync(ModerationTarget.ForActor(Alice));

        var result = await RestoreAsync(ModerationTarget.ForActor(Alice), "suspension lifted", ModerationSource.ActivityPub, Alice);

        result.Changed.Should().BeTrue();
        Hex(result.Unblocked).Should().BeEquivalentTo(HexOf(kept.V1, kept.V2));
        (await Registry.GetStateAsync(kept.V2!.Value, None)).Should().Be(AccessState.Active);
        (await Registry.GetStateAsync(deleted.V1!.Value, None)).Should().Be(AccessState.Revoked);
        (await Registry.FindAsync(deleted.V1!.Value, None))!.StatusModerationId.Should().Be(revocation.Record!.Id);
        (await Registry.RegisterAsync(NewRegistration(Alice), Admin, ModerationSource.ActivityPub, None)).Outcome.Should().Be(RegisterOutcome.Created);
    }

    [Test]
    public async Task Restore_of_an_object_leaves_its_torrent_suspended_while_its_actor_is_suspended()
    {
        var registration = NewRegistration(Alice);
        await RegisterNewAsync(registration);
        await SuspendAsync(ModerationTarget.ForObject(registration.ObjectUri!));
        var actorSuspension = await SuspendAsync(ModerationTarget.ForActor(Alice));

        var result = await RestoreAsync(ModerationTarget.ForObject(registration.ObjectUri!));

        result.Changed.Should().BeTrue("the object block is removed");
        result.Unblocked.Should().BeEmpty();
        var torrent = (await Registry.FindAsync(registration.V1!.Value, None))!;
        torrent.Status.Should().Be(AccessState.Suspended, "the actor is still suspended");
        torrent.StatusModerationId.Should().Be(actorSuspension.Record!.Id, "the remaining block now holds it");
        (await Registry.GetStateAsync(registration.V1!.Value, None)).Should().Be(AccessState.Suspended);
    }

    [Test]
    public async Task Restore_of_an_actor_lets_a_revocation_by_object_that_came_later_stand()
    {
        var registration = NewRegistration(Alice);
        await RegisterNewAsync(registration);
        await SuspendAsync(ModerationTarget.ForActor(Alice));
        var revocation = await RevokeAsync(ModerationTarget.ForObject(registration.ObjectUri!));

        var result = await RestoreAsync(ModerationTarget.ForActor(Alice));

        result.Changed.Should().BeTrue();
        result.Unblocked.Should().BeEmpty();
        var torrent = (await Registry.FindAsync(registration.V1!.Value, None))!;
        torrent.Status.Should().Be(AccessState.Revoked);
        torrent.StatusModerationId.Should().Be(revocation.Record!.Id);
    }

    [Test]
    public async Task Moderations_are_listed_by_ascending_id_with_paging()
    {
        var hashes = Enumerable.Range(0, 5).Select(_ => NewInfoHash()).ToList();
        var ids = new List<long>();
        foreach (var hash in hashes)
        {
            ids.Add((await RevokeAsync(ModerationTarget.ForHash(hash))).Record!.Id);
        }

        var first = await Registry.ListModerationsAsync(0, 2, None);
        var rest = await Registry.ListModerationsAsync(first.Next!.Value, 10, None);

        ids.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        first.Items.Select(m => m.Id).Should().Equal(ids[0], ids[1]);
        first.Next.Should().Be(ids[1]);
        rest.Items.Select(m => m.Id).Should().Equal(ids[2], ids[3], ids[4]);
        rest.Next.Should().BeNull();
        rest.Items[2].Target.Value.Should().Be(hashes[4].ToString());
    }
}
