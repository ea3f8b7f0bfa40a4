using System.Security.Cryptography;
using FediTracker.Core.Registry;
using static FediTracker.Core.Tests.Swarms.TestPeers;

namespace FediTracker.Core.Tests.Registry;

/// <summary>The access feed, the audit log and passkeys.</summary>
public abstract partial class TorrentRegistryContract
{
    // ---------------------------------------------------------------- access feed

    [Test]
    public async Task Feed_of_an_empty_registry_is_empty_at_version_zero()
    {
        var batch = await Registry.ReadAccessChangesAsync(0, 100, None);

        batch.Changes.Should().BeEmpty();
        batch.LastVersion.Should().Be(0);
    }

    [Test]
    public async Task Feed_has_a_row_per_registered_hash_with_strictly_rising_versions()
    {
        var hybrid = NewRegistration(hybrid: true);
        var single = NewRegistration();
        await RegisterNewAsync(hybrid);
        await RegisterNewAsync(single);

        var batch = await Registry.ReadAccessChangesAsync(0, 100, None);

        batch.Changes.Select(c => c.Hash.ToString()).Should().BeEquivalentTo(HexOf(hybrid.V1, hybrid.V2, single.V1));
        batch.Changes.Should().OnlyContain(c => c.State == AccessState.Active && !c.IsPasskey);
        batch.Changes.Select(c => c.Version).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        batch.Changes[0].Version.Should().BeGreaterThan(0);
        batch.LastVersion.Should().Be(batch.Changes[^1].Version);
        batch.Changes[^1].Hash.Should().Be(single.V1!.Value, "the later registration has the later version");
    }

    [Test]
    public async Task Feed_after_a_version_gives_only_later_changes_at_their_latest_state()
    {
        var registration = NewRegistration(hybrid: true);
        var untouched = NewRegistration();
        await RegisterNewAsync(untouched);
        await RegisterNewAsync(registration);
        var before = (await Registry.ReadAccessChangesAsync(0, 100, None)).LastVersion;
        await SuspendAsync(ModerationTarget.ForHash(registration.V1!.Value));
        await RevokeAsync(ModerationTarget.ForHash(registration.V1!.Value));

        var since = await Registry.ReadAccessChangesAsync(before, 100, None);
        var all = await Registry.ReadAccessChangesAsync(0, 100, None);

        since.Changes.Select(c => c.Hash.ToString()).Should().BeEquivalentTo(HexOf(registration.V1, registration.V2));
        since.Changes.Should().OnlyContain(c => c.State == AccessState.Revoked && c.Version > before);
        all.Changes.Should().HaveCount(3, "one row per hash: the suspension was replaced by the revocation");
        all.Changes.Single(c => c.Hash == untouched.V1!.Value).State.Should().Be(AccessState.Active);
        all.LastVersion.Should().Be(since.LastVersion);
        all.Changes.Select(c => c.Version).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
    }

    [Test]
    public async Task Feed_pages_by_limit_and_returns_the_read_position_when_nothing_is_newer()
    {
        for (var i = 0; i < 5; i++)
        {
            await RegisterNewAsync(NewRegistration());
        }

        var all = await Registry.ReadAccessChangesAsync(0, 100, None);
        var first = await Registry.ReadAccessChangesAsync(0, 2, None);
        var second = await Registry.ReadAccessChangesAsync(first.LastVersion, 2, None);
        var third = await Registry.ReadAccessChangesAsync(second.LastVersion, 2, None);
        var none = await Registry.ReadAccessChangesAsync(third.LastVersion, 2, None);

        first.Changes.Should().HaveCount(2);
        first.LastVersion.Should().Be(first.Changes[1].Version);
        second.Changes.Should().HaveCount(2);
        third.Changes.Should().ContainSingle();
        first.Changes.Concat(second.Changes).Concat(third.Changes).Should().Equal(all.Changes);
        none.Changes.Should().BeEmpty();
        none.LastVersion.Should().Be(third.LastVersion, "with nothing newer the position stays where it was");
        (await Registry.ReadAccessChangesAsync(all.LastVersion + 1000, 2, None)).LastVersion.Should().Be(all.LastVersion + 1000);
    }

    [Test]
    public async Task Feed_carries_passkeys_added_and_removed_at_their_latest_state()
    {
        var kept = Digest("kept");
        var removed = Digest("removed");
        await Registry.AddPasskeyAsync(kept, "kept", Admin, None);
        var toRemove = await Registry.AddPasskeyAsync(removed, "removed", Admin, None);
        var beforeRemoval = (await Registry.ReadAccessChangesAsync(0, 100, None)).LastVersion;

        (await Registry.RemovePasskeyAsync(toRemove.Id, Admin, None)).Should().BeTrue();
        var all = await Registry.ReadAccessChangesAsync(0, 100, None);
        var since = await Registry.ReadAccessChangesAsync(beforeRemoval, 100, None);

        all.Changes.Should().HaveCount(2);
        all.Changes.Should().OnlyContain(c => c.IsPasskey && c.State == AccessState.Unknown && c.Hash == default);
        all.Changes[0].PasskeyDigest.Should().Equal(kept);
        all.Changes[0].PasskeyValid.Should().BeTrue();
        all.Changes[1].PasskeyDigest.Should().Equal(removed);
        all.Changes[1].PasskeyValid.Should().BeFalse("the row stays as a tombstone");
        all.Changes[1].Version.Should().BeGreaterThan(beforeRemoval);
        since.Changes.Should().ContainSingle().Which.PasskeyValid.Should().BeFalse();
    }

    [Test]
    public async Task Hash_and_passkey_rows_share_one_version_sequence()
    {
        await RegisterNewAsync(NewRegistration());
        await Registry.AddPasskeyAsync(Digest("p"), "p", Admin, None);
        await RevokeAsync(ModerationTarget.ForHash(NewInfoHash()));

        var feed = await ReadFeedAsync();

        feed.Should().HaveCount(3);
        feed.Select(c => c.IsPasskey).Should().Equal(false, true, false);
        feed.Select(c => c.Version).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
    }

    [Test]
    public async Task Writes_that_change_nothing_leave_the_feed_alone()
    {
        var registration = NewRegistration();
        await RegisterNewAsync(registration);
        await RevokeAsync(ModerationTarget.ForActor(Bob));
        var version = (await Registry.ReadAccessChangesAsync(0, 100, None)).LastVersion;

        await Registry.RegisterAsync(registration, Admin, ModerationSource.Admin, None);
        await Registry.RegisterAsync(registration with { ActorUri = "https://other.example/users/x" }, Admin, ModerationSource.Admin, None);
        await Registry.RegisterAsync(NewRegistration(Bob), Admin, ModerationSource.Admin, None);
        await RevokeAsync(ModerationTarget.ForActor(Bob));
        await RestoreAsync(ModerationTarget.ForObject(registration.ObjectUri!));
        await Registry.RemovePasskeyAsync(12345, Admin, None);

        (await Registry.ReadAccessChangesAsync(version, 100, None)).Changes.Should().BeEmpty();
    }

    // ---------------------------------------------------------------- audit

    [Test]
    public async Task Every_moderation_that_changes_something_is_audited_with_its_target_and_reason()
    {
        var registration = NewRegistration(Alice);
        await RegisterNewAsync(registration);
        Time.Advance(TimeSpan.FromSeconds(10));
        await SuspendAsync(ModerationTarget.ForActor(Alice), "spam wave", ModerationSource.ActivityPub, "https://social.example/actor");
        Time.Advance(TimeSpan.FromSeconds(10));
        await RevokeAsync(ModerationTarget.ForObject(registration.ObjectUri!), "deleted", ModerationSource.Federation, "peer.example");
        await RevokeAsync(ModerationTarget.ForObject(registration.ObjectUri!), "deleted again", ModerationSource.Federation, "peer.example");
        Time.Advance(TimeSpan.FromSeconds(10));
        await RestoreAsync(ModerationTarget.ForActor(Alice), "lifted", ModerationSource.Admin, "root");

        var audit = await ReadAllAuditAsync();

        audit.Select(a => a.Action).Should().Equal(AuditAction.Register, AuditAction.Suspend, AuditAction.Revoke, AuditAction.Restore);
        audit.Select(a => a.Id).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        audit[1].Should().BeEquivalentTo(new { At = Start.AddSeconds(10), By = "https://social.example/actor", Source = ModerationSource.ActivityPub, Subject = Alice, Detail = "spam wave" });
        audit[2].Should().BeEquivalentTo(new { At = Start.AddSeconds(20), By = "peer.example", Source = ModerationSource.Federation, Subject = registration.ObjectUri, Detail = "deleted" });
        audit[3].Should().BeEquivalentTo(new { At = Start.AddSeconds(30), By = "root", Source = ModerationSource.Admin, Subject = Alice, Detail = "lifted" });
    }

    [Test]
    public async Task Hash_moderations_are_audited_under_the_lowercase_hex_hash()
    {
        var hash = NewInfoHash();

        await RevokeAsync(new ModerationTarget(TargetKind.Hash, hash.ToString().ToUpperInvariant()), "malware");

        var entry = (await ReadAllAuditAsync()).Should().ContainSingle().Subject;
        entry.Action.Should().Be(AuditAction.Revoke);
        entry.Subject.Should().Be(hash.ToString());
        entry.Detail.Should().Be("malware");
    }

    [Test]
    public async Task Audit_log_pages_by_id()
    {
        for (var i = 0; i < 3; i++)
        {
            await RegisterNewAsync(NewRegistration());
        }

        var first = await Registry.ReadAuditAsync(0, 2, None);
        var rest = await Registry.ReadAuditAsync(first.Next!.Value, 2, None);

        first.Items.Should().HaveCount(2);
        first.Next.Should().Be(first.Items[1].Id);
        rest.Items.Should().ContainSingle().Which.Id.Should().BeGreaterThan(first.Items[1].Id);
        rest.Next.Should().BeNull();
    }

    // ---------------------------------------------------------------- passkeys

    [Test]
    public async Task Added_passkey_is_listed_and_audited()
    {
        Time.Advance(TimeSpan.FromMinutes(2));

        var record = await Registry.AddPasskeyAsync(Digest("carol"), "carol's seedbox", Admin, None);

        record.Id.Should().BeGreaterThan(0);
        record.Label.Should().Be("carol's seedbox");
        record.CreatedAt.Should().Be(Start.AddMinutes(2));
        record.CreatedBy.Should().Be(Admin);
        (await Registry.ListPasskeysAsync(None)).Should().ContainSingle().Which.Should().BeEquivalentTo(record);
        var entry = (await ReadAllAuditAsync()).Should().ContainSingle().Subject;
        entry.Action.Should().Be(AuditAction.PasskeyCreate);
        entry.Subject.Should().Be(record.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        entry.By.Should().Be(Admin);
        entry.At.Should().Be(Start.AddMinutes(2));
    }

    [Test]
    public async Task Passkeys_are_listed_by_id_and_removed_ones_are_not()
    {
        var a = await Registry.AddPasskeyAsync(Digest("a"), "a", Admin, None);
        var b = await Registry.AddPasskeyAsync(Digest("b"), "b", Admin, None);
        var c = await Registry.AddPasskeyAsync(Digest("c"), "c", Admin, None);

        (await Registry.RemovePasskeyAsync(b.Id, "other-admin", None)).Should().BeTrue();

        new[] { a.Id, b.Id, c.Id }.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        (await Registry.ListPasskeysAsync(None)).Select(p => p.Id).Should().Equal(a.Id, c.Id);
        var entry = (await ReadAllAuditAsync())[^1];
        entry.Action.Should().Be(AuditAction.PasskeyDelete);
        entry.Subject.Should().Be(b.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        entry.By.Should().Be("other-admin");
    }

    [Test]
    public async Task Removing_an_unknown_or_removed_passkey_returns_false_and_writes_nothing()
    {
        var record = await Registry.AddPasskeyAsync(Digest("x"), "x", Admin, None);
        (await Registry.RemovePasskeyAsync(record.Id, Admin, None)).Should().BeTrue();

        (await Registry.RemovePasskeyAsync(record.Id, Admin, None)).Should().BeFalse();
        (await Registry.RemovePasskeyAsync(record.Id + 100, Admin, None)).Should().BeFalse();

        (await ReadAllAuditAsync()).Should().HaveCount(2);
        (await ReadFeedAsync()).Should().ContainSingle();
    }

    [Test]
    public async Task Passkey_digest_must_be_32_bytes_and_new()
    {
        var digest = Digest("dup");
        var removedDigest = Digest("removed");
        await Registry.AddPasskeyAsync(digest, "first", Admin, None);
        var removed = await Registry.AddPasskeyAsync(removedDigest, "removed", Admin, None);
        await Registry.RemovePasskeyAsync(removed.Id, Admin, None);

        await FluentActions.Awaiting(() => Registry.AddPasskeyAsync(digest, "again", Admin, None)).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => Registry.AddPasskeyAsync(removedDigest, "revived", Admin, None))
            .Should().ThrowAsync<ArgumentException>("a removed passkey never comes back");
        await FluentActions.Awaiting(() => Registry.AddPasskeyAsync(new byte[31], "short", Admin, None)).Should().ThrowAsync<ArgumentException>();

        (await Registry.ListPasskeysAsync(None)).Select(p => p.Label).Should().Equal("first");
        (await ReadAllAuditAsync()).Should().HaveCount(3);
    }

    /// <summary>The SHA-256 digest of a made-up passkey.</summary>
    protected static byte[] Digest(string passkey) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(passkey));
}
