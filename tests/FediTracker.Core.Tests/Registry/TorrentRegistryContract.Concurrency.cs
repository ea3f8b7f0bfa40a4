using FediTracker.Core.Registry;
using static FediTracker.Core.Tests.Swarms.TestPeers;

namespace FediTracker.Core.Tests.Registry;

/// <summary>Concurrent writers and durability across a reopen.</summary>
public abstract partial class TorrentRegistryContract
{
    private const int Writers = 8;

    /// <summary>Torrents each concurrent writer registers; a slow store may lower it.</summary>
    protected virtual int RegistrationsPerWriter => 12;

    [Test]
    public async Task Concurrent_registrations_get_unique_ids_and_versions_and_none_is_lost()
    {
        var perWriter = RegistrationsPerWriter;
        var registrations = Enumerable.Range(0, Writers)
            .Select(_ => Enumerable.Range(0, perWriter).Select(_ => NewRegistration(hybrid: true)).ToList())
            .ToList();

        var results = await Task.WhenAll(registrations.Select(list => Task.Run(async () =>
        {
            var ids = new List<long>();
            foreach (var registration in list)
            {
                ids.Add((await RegisterNewAsync(registration)).Id);
            }

            return ids;
        })));

        var total = Writers * perWriter;
        results.SelectMany(ids => ids).Should().BeEquivalentTo(Enumerable.Range(1, total).Select(i => (long)i), "ids are 1..n, none duplicated or skipped");
        var feed = await ReadFeedAsync();
        feed.Should().HaveCount(total * 2);
        feed.Select(c => c.Version).Should().OnlyHaveUniqueItems().And.BeInAscendingOrder();
        feed.Select(c => c.Hash.ToString()).Should().BeEquivalentTo(registrations.SelectMany(l => l).SelectMany(r => HexOf(r.V1, r.V2)));
        var audit = await ReadAllAuditAsync();
        audit.Should().HaveCount(total);
        audit.Select(a => a.Id).Should().OnlyHaveUniqueItems();
        foreach (var registration in registrations.SelectMany(l => l))
        {
            (await Registry.FindAsync(registration.V2!.Value, None))!.V1.Should().Be(registration.V1);
        }
    }

    [Test]
    public async Task Concurrent_identical_registrations_create_exactly_one_record()
    {
        var registration = NewRegistration(hybrid: true);

        var results = await Task.WhenAll(Enumerable.Range(0, Writers).Select(_ =>
            Task.Run(() => Registry.RegisterAsync(registration, Admin, ModerationSource.Admin, None))));

        results.Count(r => r.Outcome == RegisterOutcome.Created).Should().Be(1);
        results.Count(r => r.Outcome == RegisterOutcome.AlreadyRegistered).Should().Be(Writers - 1);
        results.Select(r => r.Torrent!.Id).Distinct().Should().ContainSingle();
        (await ReadAllAuditAsync()).Should().ContainSingle();
        (await ReadFeedAsync()).Should().HaveCount(2);
    }

    [Test]
    public async Task Concurrent_identical_revocations_change_once()
    {
        var registration = NewRegistration(hybrid: true);
        await RegisterNewAsync(registration);

        var results = await Task.WhenAll(Enumerable.Range(0, Writers).Select(_ =>
            Task.Run(() => RevokeAsync(ModerationTarget.ForObject(registration.ObjectUri!)))));

        results.Count(r => r.Changed).Should().Be(1);
        var winner = results.Single(r => r.Changed).Record!.Id;
        results.Should().OnlyContain(r => r.Record!.Id == winner);
        (await ReadAllModerationsAsync()).Should().ContainSingle();
        (await ReadAllAuditAsync()).Should().HaveCount(2);
    }

    [Test]
    public async Task Concurrent_registrations_and_an_actor_revocation_leave_no_torrent_of_that_actor_active()
    {
        var perWriter = RegistrationsPerWriter;
        var registrations = Enumerable.Range(0, Writers)
            .Select(w => Enumerable.Range(0, perWriter).Select(_ => NewRegistration(w % 2 == 0 ? Alice : Bob)).ToList())
            .ToList();
        using var go = new SemaphoreSlim(0, Writers + 1);

        var writers = registrations.Select(list => Task.Run(async () =>
        {
            await go.WaitAsync();
            var outcomes = new List<RegisterOutcome>();
            foreach (var registration in list)
            {
                outcomes.Add((await Registry.RegisterAsync(registration, Admin, ModerationSource.Admin, None)).Outcome);
            }

            return outcomes;
        })).ToList();
        var revoker = Task.Run(async () =>
        {
            await go.WaitAsync();
            return await RevokeAsync(ModerationTarget.ForActor(Alice));
        });
        go.Release(Writers + 1);
        var outcomes = (await Task.WhenAll(writers)).SelectMany(o => o).ToList();
        var revocation = await revoker;

        revocation.Changed.Should().BeTrue();
        outcomes.Should().OnlyContain(o => o == RegisterOutcome.Created || o == RegisterOutcome.Blocked);
        var alices = await ReadAllTorrentsAsync(new TorrentQuery { ActorUri = Alice });
        alices.Should().OnlyContain(t => t.Status == AccessState.Revoked && t.StatusModerationId == revocation.Record!.Id);
        Hex(revocation.Blocked).Should().BeEquivalentTo(Hex(alices.SelectMany(t => t.Hashes)));
        var bobs = await ReadAllTorrentsAsync(new TorrentQuery { ActorUri = Bob });
        bobs.Should().HaveCount(Writers / 2 * perWriter).And.OnlyContain(t => t.Status == AccessState.Active);
        outcomes.Count(o => o == RegisterOutcome.Created).Should().Be(alices.Count + bobs.Count);
        foreach (var torrent in alices)
        {
            (await Registry.GetStateAsync(torrent.V1!.Value, None)).Should().Be(AccessState.Revoked);
        }
    }

    [Test]
    public async Task Concurrent_revocations_of_overlapping_targets_keep_states_and_versions_consistent()
    {
        var torrents = new List<TorrentRecord>();
        for (var i = 0; i < Writers * 2; i++)
        {
            torrents.Add(await RegisterNewAsync(NewRegistration(i % 2 == 0 ? Alice : Bob, hybrid: true)));
        }

        var before = (await Registry.ReadAccessChangesAsync(0, 1000, None)).LastVersion;

        // Every writer revokes two torrents by hash (each torrent is targeted by two writers), and half of them
        // also suspend Bob.
        var results = await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var mine = new List<ModerationResult>
            {
                await RevokeAsync(ModerationTarget.ForHash(torrents[w].V1!.Value)),
                await RevokeAsync(ModerationTarget.ForHash(torrents[(w + Writers) % torrents.Count].V2!.Value)),
                await RevokeAsync(ModerationTarget.ForHash(torrents[(w + 1) % Writers].V2!.Value)),
            };
            if (w % 2 == 1)
            {
                mine.Add(await SuspendAsync(ModerationTarget.ForActor(Bob)));
            }

            return mine;
        })));

        var all = results.SelectMany(r => r).ToList();
        var changed = all.Where(r => r.Changed).ToList();
        changed.Select(r => r.Record!.Id).Should().OnlyHaveUniqueItems();
        var moderations = await ReadAllModerationsAsync();
        moderations.Select(m => m.Id).Should().BeEquivalentTo(changed.Select(r => r.Record!.Id));
        var blockedTwice = changed.SelectMany(r => Hex(r.Blocked)).GroupBy(h => h).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        // Often no hash is blocked twice (every revocation may run before the suspensions), and OnlyContain fails on
        // an empty collection: check each one found instead.
        foreach (var twice in blockedTwice)
        {
            changed.Should().Contain(r => r.Record!.Kind == ModerationKind.Suspend && Hex(r.Blocked).Contains(twice),
                "a hash is blocked twice only when a suspension came before its revocation");
        }
        var feed = await Registry.ReadAccessChangesAsync(before, 1000, None);
        feed.Changes.Select(c => c.Version).Should().OnlyHaveUniqueItems().And.BeInAscendingOrder();
        foreach (var torrent in torrents)
        {
            // Torrents 0..Writers-1 are revoked by two writers (by v1 and by v2), the others by one.
            (await Registry.GetStateAsync(torrent.V2!.Value, None)).Should().Be(AccessState.Revoked, "torrent #{0} was revoked", torrent.Id);
            (await Registry.GetStateAsync(torrent.V1!.Value, None)).Should().Be(AccessState.Revoked, "both hashes of a torrent share its status");
            var record = (await Registry.FindAsync(torrent.V1!.Value, None))!;
            record.Status.Should().Be(AccessState.Revoked);
            moderations.Single(m => m.Id == record.StatusModerationId).Kind.Should().Be(ModerationKind.Revoke);
        }

        feed.Changes.Should().HaveCount(torrents.Count * 2, "one row per hash at its latest state");
        (await ReadAllAuditAsync()).Should().HaveCount(torrents.Count + changed.Count);
    }

    // ---------------------------------------------------------------- durability

    [Test]
    public async Task Everything_written_survives_a_reopen()
    {
        var metainfo = new byte[4096];
        Random.Shared.NextBytes(metainfo);
        var registration = NewRegistration(Alice, hybrid: true) with { Metainfo = metainfo };
        var other = NewRegistration(Bob);
        var created = await RegisterNewAsync(registration);
        await RegisterNewAsync(other);
        Time.Advance(TimeSpan.FromSeconds(1));
        var revocation = await RevokeAsync(ModerationTarget.ForObject(other.ObjectUri!), "gone");
        var bare = NewInfoHash();
        await SuspendAsync(ModerationTarget.ForHash(bare));
        var passkey = await Registry.AddPasskeyAsync(Digest("durable"), "durable", Admin, None);
        var torrents = await ReadAllTorrentsAsync(new TorrentQuery());
        var moderations = await ReadAllModerationsAsync();
        var audit = await ReadAllAuditAsync();
        var feed = await Registry.ReadAccessChangesAsync(0, 1000, None);

        await ReopenAsync();

        (await ReadAllTorrentsAsync(new TorrentQuery())).Should().BeEquivalentTo(torrents, o => o.WithStrictOrdering());
        (await Registry.FindAsync(registration.V2!.Value, None)).Should().BeEquivalentTo(created);
        (await Registry.GetMetainfoAsync(registration.V1!.Value, None)).Should().Equal(metainfo);
        (await Registry.FindAsync(other.V1!.Value, None))!.StatusModerationId.Should().Be(revocation.Record!.Id);
        (await Registry.GetStateAsync(bare, None)).Should().Be(AccessState.Suspended);
        (await ReadAllModerationsAsync()).Should().BeEquivalentTo(moderations, o => o.WithStrictOrdering());
        (await ReadAllAuditAsync()).Should().BeEquivalentTo(audit, o => o.WithStrictOrdering());
        var reopenedFeed = await Registry.ReadAccessChangesAsync(0, 1000, None);
        reopenedFeed.LastVersion.Should().Be(feed.LastVersion);
        reopenedFeed.Changes.Should().BeEquivalentTo(feed.Changes, o => o.WithStrictOrdering());
        (await Registry.ListPasskeysAsync(None)).Should().ContainSingle().Which.Should().BeEquivalentTo(passkey);
        (await Registry.RegisterAsync(NewRegistration(Bob) with { ObjectUri = other.ObjectUri }, Admin, ModerationSource.Admin, None)).Outcome
            .Should().Be(RegisterOutcome.Blocked, "target blocks survive too");
        (await RevokeAsync(ModerationTarget.ForObject(other.ObjectUri!))).Changed.Should().BeFalse();
    }

    [Test]
    public async Task Ids_and_versions_continue_after_a_reopen()
    {
        var first = await RegisterNewAsync(NewRegistration());
        var firstModeration = await RevokeAsync(ModerationTarget.ForHash(NewInfoHash()));
        var firstPasskey = await Registry.AddPasskeyAsync(Digest("one"), "one", Admin, None);
        var version = (await Registry.ReadAccessChangesAsync(0, 100, None)).LastVersion;
        var lastAudit = (await ReadAllAuditAsync())[^1].Id;

        await ReopenAsync();
        var second = await RegisterNewAsync(NewRegistration());
        var secondModeration = await RevokeAsync(ModerationTarget.ForHash(NewInfoHash()));
        var secondPasskey = await Registry.AddPasskeyAsync(Digest("two"), "two", Admin, None);

        second.Id.Should().Be(first.Id + 1);
        secondModeration.Record!.Id.Should().BeGreaterThan(firstModeration.Record!.Id);
        secondPasskey.Id.Should().BeGreaterThan(firstPasskey.Id);
        var later = await Registry.ReadAccessChangesAsync(version, 100, None);
        later.Changes.Should().HaveCount(3);
        later.Changes[0].Version.Should().BeGreaterThan(version);
        (await ReadAllAuditAsync()).Where(a => a.Id > lastAudit).Should().HaveCount(3);
    }

    /// <summary>Every torrent matching <paramref name="query"/>, read page by page.</summary>
    protected async Task<List<TorrentRecord>> ReadAllTorrentsAsync(TorrentQuery query)
    {
        var all = new List<TorrentRecord>();
        var page = query with { Limit = 7, After = 0 };
        while (true)
        {
            var result = await Registry.ListAsync(page, None);
            all.AddRange(result.Items);
            if (result.Next is not { } next)
            {
                return all;
            }

            page = page with { After = next };
        }
    }
}
