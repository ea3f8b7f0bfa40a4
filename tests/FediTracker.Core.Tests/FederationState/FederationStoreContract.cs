using FediTracker.Core.FederationState;
using Microsoft.Extensions.Time.Testing;

namespace FediTracker.Core.Tests.FederationState;

/// <summary>
/// The behaviour every <see cref="IFederationStore"/> must show (the interface's documentation), written once and run
/// against each store by a subclass. Each test gets a fresh, empty store whose clock is a
/// <see cref="FakeTimeProvider"/>; <see cref="OpenSecondStoreAsync"/> opens another store over the same storage, as
/// another node (or process) would, for the tests of concurrent callers. The suite talks to the stores only through
/// the interface, and passes every time explicitly.
/// </summary>
/// <remarks>
/// Split by area: followers, handled ids, pending deletes and suspended actors here, the delivery queue in the other
/// part. <see cref="Start"/> lies in the future, so a store that also hands an absolute expiry to a server with a
/// real clock (Redis' PEXPIREAT) does not see it lapse during the test.
/// </remarks>
public abstract partial class FederationStoreContract
{
    /// <summary>Where every test's clock starts (whole milliseconds, so stores that keep milliseconds round-trip it).</summary>
    protected static readonly DateTimeOffset Start = new(2035, 1, 1, 12, 0, 0, TimeSpan.Zero);

    protected const string Alice = "https://social.example/users/alice";
    protected const string Bob = "https://social.example/users/bob";
    protected const string Carol = "https://other.example/users/carol";

    private FakeTimeProvider? _time;
    private IFederationStore? _store;

    protected FakeTimeProvider Time => _time ?? throw new InvalidOperationException("No test is running.");

    /// <summary>The store under test.</summary>
    protected IFederationStore Store => _store ?? throw new InvalidOperationException("No test is running.");

    protected static CancellationToken None => CancellationToken.None;

    /// <summary>A new, empty store whose clock is <paramref name="time"/>.</summary>
    protected abstract Task<IFederationStore> CreateStoreAsync(FakeTimeProvider time);

    /// <summary>
    /// Another store over the storage of the one <see cref="CreateStoreAsync"/> returned, with its own connection and
    /// the same clock, as another node has. The subclass releases it in <see cref="DestroyStoreAsync"/>.
    /// </summary>
    protected abstract Task<IFederationStore> OpenSecondStoreAsync();

    /// <summary>
    /// Releases the store after a test, and whatever storage it used. Disposes it by default; a subclass that made a
    /// directory, a connection or a second store removes it here.
    /// </summary>
    protected virtual async ValueTask DestroyStoreAsync(IFederationStore? store)
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
    public async Task CreateStoreForTest()
    {
        _time = new FakeTimeProvider(Start);
        _store = await CreateStoreAsync(_time);
    }

    [TearDown]
    public async Task DestroyStoreForTest()
    {
        var store = _store;
        _store = null;
        await DestroyStoreAsync(store);
    }

    // ---------------------------------------------------------------- followers

    [Test]
    public async Task Followers_are_added_listed_and_removed()
    {
        var relay = new Follower(Alice, Alice + "/inbox", FollowerKind.Relay, "https://social.example/follows/1", Start);
        var tracker = new Follower(Carol, "https://other.example/inbox", FollowerKind.Tracker, "https://other.example/follows/9", Start.AddMinutes(1));

        (await Store.ListFollowersAsync(None)).Should().BeEmpty("a new store has no followers");
        await Store.AddFollowerAsync(relay, None);
        await Store.AddFollowerAsync(tracker, None);

        (await Store.ListFollowersAsync(None)).Should().BeEquivalentTo([relay, tracker]);
        (await Store.RemoveFollowerAsync(Alice, None)).Should().BeTrue();
        (await Store.RemoveFollowerAsync(Alice, None)).Should().BeFalse("it is no longer a follower");
        (await Store.RemoveFollowerAsync(Bob, None)).Should().BeFalse("it never was one");
        (await Store.ListFollowersAsync(None)).Should().BeEquivalentTo([tracker]);
    }

    [Test]
    public async Task Adding_a_follower_again_replaces_it()
    {
        await Store.AddFollowerAsync(new Follower(Alice, Alice + "/inbox", FollowerKind.Relay, "https://social.example/follows/1", Start), None);
        await Store.AddFollowerAsync(new Follower(Bob, Bob + "/inbox", FollowerKind.Relay, "https://social.example/follows/2", Start), None);
        var again = new Follower(Alice, "https://social.example/shared-inbox", FollowerKind.Tracker, "https://social.example/follows/3", Start);

        await Store.AddFollowerAsync(again, None);

        var followers = await Store.ListFollowersAsync(None);
        followers.Should().HaveCount(2, "one actor is one follower");
        followers.Should().ContainSingle(f => f.ActorId == Alice).Which.Should().Be(again);
    }

    [Test]
    public async Task A_second_store_over_the_same_storage_sees_every_write()
    {
        var follower = new Follower(Alice, Alice + "/inbox", FollowerKind.Tracker, "https://social.example/follows/1", Start);
        await Store.AddFollowerAsync(follower, None);
        await Store.SetActorSuspendedAsync(Bob, true, None);
        (await Store.TryMarkSeenAsync("https://social.example/activities/1", Start.AddHours(1), None)).Should().BeTrue();
        var tombstone = new PendingTombstone("https://social.example/notes/1", Alice, "social.example", "https://social.example/activities/2", Start.AddHours(1));
        (await Store.AddPendingTombstoneAsync(tombstone, 10, None)).Should().Be(PendingAddOutcome.Added);
        await Store.EnqueueAsync([new OutboxDelivery(0, Alice + "/inbox", [1, 2, 3], 0, Start)], None);

        var second = await OpenSecondStoreAsync();

        (await second.ListFollowersAsync(None)).Should().BeEquivalentTo([follower]);
        (await second.IsActorSuspendedAsync(Bob, None)).Should().BeTrue();
        (await second.TryMarkSeenAsync("https://social.example/activities/1", Start.AddHours(1), None)).Should().BeFalse();
        (await second.GetPendingTombstonesAsync(tombstone.ObjectUri, Start, None)).Should().BeEquivalentTo([tombstone]);
        (await second.CountQueuedAsync(None)).Should().Be(1);
        (await second.ClaimDueAsync(Start, 10, TimeSpan.FromMinutes(1), None)).Should().ContainSingle().Which.Body.Should().Equal(1, 2, 3);
    }

    // ---------------------------------------------------------------- handled activity ids

    [Test]
    public async Task An_activity_id_is_marked_once_and_a_replay_is_refused()
    {
        const string Id = "https://social.example/activities/1";

        (await Store.TryMarkSeenAsync(Id, Start.AddHours(1), None)).Should().BeTrue("the first delivery is handled");
        (await Store.TryMarkSeenAsync(Id, Start.AddHours(1), None)).Should().BeFalse("a replay is not");
        (await Store.TryMarkSeenAsync(Id, Start.AddHours(2), None)).Should().BeFalse("a later expiry does not make it new");
        (await Store.TryMarkSeenAsync("https://social.example/activities/2", Start.AddHours(1), None)).Should().BeTrue("another id is judged on its own");
    }

    [Test]
    public async Task Forgetting_an_id_lets_a_later_delivery_be_handled()
    {
        const string Id = "https://social.example/activities/1";
        const string Other = "https://social.example/activities/2";
        (await Store.TryMarkSeenAsync(Id, Start.AddHours(1), None)).Should().BeTrue();
        (await Store.TryMarkSeenAsync(Other, Start.AddHours(1), None)).Should().BeTrue();

        await Store.ForgetSeenAsync(Id, None);
        await Store.ForgetSeenAsync("https://social.example/activities/never-seen", None);

        (await Store.TryMarkSeenAsync(Id, Start.AddHours(1), None)).Should().BeTrue("it was forgotten");
        (await Store.TryMarkSeenAsync(Id, Start.AddHours(1), None)).Should().BeFalse("and is marked again");
        (await Store.TryMarkSeenAsync(Other, Start.AddHours(1), None)).Should().BeFalse("forgetting one id forgets no other");
    }

    [Test]
    public async Task An_id_is_handled_afresh_once_its_mark_expired_and_was_purged_and_not_before()
    {
        const string Short = "https://social.example/activities/short";
        const string Long = "https://social.example/activities/long";
        var expires = Start.AddMinutes(10);
        (await Store.TryMarkSeenAsync(Short, expires, None)).Should().BeTrue();
        (await Store.TryMarkSeenAsync(Long, Start.AddHours(1), None)).Should().BeTrue();

        Time.SetUtcNow(expires.AddMilliseconds(-1));
        await Store.PurgeExpiredAsync(Time.GetUtcNow(), None);
        (await Store.TryMarkSeenAsync(Short, expires, None)).Should().BeFalse("a millisecond before its expiry the mark holds");

        Time.SetUtcNow(expires);
        await Store.PurgeExpiredAsync(expires, None);

        (await Store.TryMarkSeenAsync(Short, Start.AddHours(1), None)).Should().BeTrue("the mark lasted until its expiry");
        (await Store.TryMarkSeenAsync(Short, Start.AddHours(1), None)).Should().BeFalse("the new mark holds");
        (await Store.TryMarkSeenAsync(Long, Start.AddHours(1), None)).Should().BeFalse("a purge forgets only expired ids");
    }

    [Test]
    public async Task Of_many_concurrent_marks_of_one_id_from_two_stores_exactly_one_is_true()
    {
        var second = await OpenSecondStoreAsync();
        IFederationStore[] stores = [Store, second];
        const int Ids = 8;
        const int CallsPerId = 16;

        var results = await Task.WhenAll(Enumerable.Range(0, Ids * CallsPerId).Select(i => Task.Run(async () =>
        {
            var id = "https://social.example/activities/raced-" + (i % Ids);
            return (Id: id, Marked: await stores[i % 2].TryMarkSeenAsync(id, Start.AddHours(1), None));
        })));

        foreach (var group in results.GroupBy(r => r.Id))
        {
            group.Count(r => r.Marked).Should().Be(1, "exactly one caller handles {0}", group.Key);
        }
    }

    // ---------------------------------------------------------------- pending deletes

    [Test]
    public async Task A_pending_delete_is_added_once_per_object_and_actor()
    {
        const string Note = "https://social.example/notes/1";
        var byAlice = new PendingTombstone(Note, Alice, "social.example", "https://social.example/activities/1", Start.AddHours(1));
        var byBob = new PendingTombstone(Note, Bob, "social.example", "https://social.example/activities/2", Start.AddHours(2));

        (await Store.AddPendingTombstoneAsync(byAlice, 10, None)).Should().Be(PendingAddOutcome.Added);
        (await Store.AddPendingTombstoneAsync(byAlice with { ActivityId = "https://social.example/activities/3" }, 10, None)).Should().Be(PendingAddOutcome.Exists);
        (await Store.AddPendingTombstoneAsync(byBob, 10, None)).Should().Be(PendingAddOutcome.Added, "another actor's delete of the object is its own");

        (await Store.GetPendingTombstonesAsync(Note, Start, None)).Should().BeEquivalentTo([byAlice, byBob], "the repeat changed nothing");
        (await Store.GetPendingTombstonesAsync("https://social.example/notes/2", Start, None)).Should().BeEmpty();
    }

    [Test]
    public async Task Pending_deletes_past_a_domains_quota_are_refused_and_other_domains_are_not_affected()
    {
        PendingTombstone Delete(int note, string domain) =>
            new($"https://{domain}/notes/{note}", $"https://{domain}/users/alice", domain, $"https://{domain}/activities/{note}", Start.AddHours(1));

        (await Store.AddPendingTombstoneAsync(Delete(1, "social.example"), 2, None)).Should().Be(PendingAddOutcome.Added);
        (await Store.AddPendingTombstoneAsync(Delete(2, "social.example"), 2, None)).Should().Be(PendingAddOutcome.Added);

        (await Store.AddPendingTombstoneAsync(Delete(3, "social.example"), 2, None)).Should().Be(PendingAddOutcome.QuotaExceeded);
        (await Store.AddPendingTombstoneAsync(Delete(1, "social.example"), 2, None)).Should().Be(PendingAddOutcome.Exists, "a repeat is recognised even with the domain full");
        (await Store.AddPendingTombstoneAsync(Delete(1, "other.example"), 2, None)).Should().Be(PendingAddOutcome.Added, "the quota is per domain");
        (await Store.AddPendingTombstoneAsync(Delete(3, "social.example"), 3, None)).Should().Be(PendingAddOutcome.Added, "the quota is the caller's");
        (await Store.GetPendingTombstonesAsync("https://social.example/notes/3", Start, None)).Should().ContainSingle();
    }

    [Test]
    public async Task Get_returns_only_the_deletes_unexpired_at_the_given_time()
    {
        const string Note = "https://social.example/notes/1";
        var soon = new PendingTombstone(Note, Alice, "social.example", "https://social.example/activities/1", Start.AddMinutes(10));
        var later = new PendingTombstone(Note, Bob, "social.example", "https://social.example/activities/2", Start.AddMinutes(20));
        await Store.AddPendingTombstoneAsync(soon, 10, None);
        await Store.AddPendingTombstoneAsync(later, 10, None);

        (await Store.GetPendingTombstonesAsync(Note, soon.ExpiresAt.AddMilliseconds(-1), None)).Should().BeEquivalentTo([soon, later]);
        (await Store.GetPendingTombstonesAsync(Note, soon.ExpiresAt, None)).Should().BeEquivalentTo([later], "a delete has expired at its expiry");
        (await Store.GetPendingTombstonesAsync(Note, later.ExpiresAt, None)).Should().BeEmpty();
    }

    [Test]
    public async Task Removing_an_objects_pending_deletes_drops_them_all_frees_the_quota_and_leaves_other_objects()
    {
        const string Note = "https://social.example/notes/1";
        const string Kept = "https://social.example/notes/2";
        await Store.AddPendingTombstoneAsync(new PendingTombstone(Note, Alice, "social.example", "https://social.example/activities/1", Start.AddHours(1)), 3, None);
        await Store.AddPendingTombstoneAsync(new PendingTombstone(Note, Bob, "social.example", "https://social.example/activities/2", Start.AddHours(1)), 3, None);
        var kept = new PendingTombstone(Kept, Alice, "social.example", "https://social.example/activities/3", Start.AddHours(1));
        await Store.AddPendingTombstoneAsync(kept, 3, None);
        var refused = new PendingTombstone("https://social.example/notes/3", Alice, "social.example", "https://social.example/activities/4", Start.AddHours(1));
        (await Store.AddPendingTombstoneAsync(refused, 3, None)).Should().Be(PendingAddOutcome.QuotaExceeded);

        await Store.RemovePendingTombstonesAsync(Note, None);
        await Store.RemovePendingTombstonesAsync("https://social.example/notes/never", None);

        (await Store.GetPendingTombstonesAsync(Note, Start, None)).Should().BeEmpty();
        (await Store.GetPendingTombstonesAsync(Kept, Start, None)).Should().BeEquivalentTo([kept]);
        (await Store.AddPendingTombstoneAsync(refused, 3, None)).Should().Be(PendingAddOutcome.Added, "the removed deletes no longer count against the domain");
        (await Store.AddPendingTombstoneAsync(refused with { ObjectUri = "https://social.example/notes/4" }, 3, None)).Should().Be(PendingAddOutcome.Added);
        (await Store.AddPendingTombstoneAsync(refused with { ObjectUri = "https://social.example/notes/5" }, 3, None)).Should().Be(PendingAddOutcome.QuotaExceeded);
    }

    [Test]
    public async Task Expired_pending_deletes_neither_count_against_the_quota_nor_block_a_new_one_and_a_purge_keeps_the_unexpired()
    {
        var expires = Start.AddMinutes(10);
        var old = new PendingTombstone("https://social.example/notes/1", Alice, "social.example", "https://social.example/activities/1", expires);
        var unexpired = new PendingTombstone("https://social.example/notes/2", Alice, "other.example", "https://social.example/activities/2", Start.AddHours(1));
        await Store.AddPendingTombstoneAsync(old, 1, None);
        await Store.AddPendingTombstoneAsync(unexpired, 1, None);

        Time.SetUtcNow(expires);
        await Store.PurgeExpiredAsync(expires, None);

        (await Store.GetPendingTombstonesAsync(old.ObjectUri, expires, None)).Should().BeEmpty();
        (await Store.GetPendingTombstonesAsync(unexpired.ObjectUri, expires, None)).Should().BeEquivalentTo([unexpired], "a purge forgets only expired deletes");
        var renewed = old with { ActivityId = "https://social.example/activities/3", ExpiresAt = Start.AddHours(2) };
        (await Store.AddPendingTombstoneAsync(renewed, 1, None)).Should().Be(PendingAddOutcome.Added, "the expired one is neither a repeat nor counted");
        (await Store.GetPendingTombstonesAsync(old.ObjectUri, expires, None)).Should().BeEquivalentTo([renewed]);
        (await Store.AddPendingTombstoneAsync(unexpired with { ObjectUri = "https://social.example/notes/3" }, 1, None)).Should().Be(PendingAddOutcome.QuotaExceeded, "the unexpired one still counts");
    }

    // ---------------------------------------------------------------- suspended actors

    [Test]
    public async Task An_actor_is_suspended_until_cleared_and_no_other_actor_is()
    {
        (await Store.IsActorSuspendedAsync(Alice, None)).Should().BeFalse();

        await Store.SetActorSuspendedAsync(Alice, true, None);
        await Store.SetActorSuspendedAsync(Alice, true, None);
        await Store.SetActorSuspendedAsync(Carol, true, None);

        (await Store.IsActorSuspendedAsync(Alice, None)).Should().BeTrue();
        (await Store.IsActorSuspendedAsync(Bob, None)).Should().BeFalse();

        await Store.SetActorSuspendedAsync(Alice, false, None);
        await Store.SetActorSuspendedAsync(Bob, false, None);

        (await Store.IsActorSuspendedAsync(Alice, None)).Should().BeFalse("one clear undoes any number of sets");
        (await Store.IsActorSuspendedAsync(Bob, None)).Should().BeFalse();
        (await Store.IsActorSuspendedAsync(Carol, None)).Should().BeTrue("clearing one actor clears no other");
    }
}
