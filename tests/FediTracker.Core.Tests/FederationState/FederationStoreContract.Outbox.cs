using System.Collections.Concurrent;
using FediTracker.Core.FederationState;

namespace FediTracker.Core.Tests.FederationState;

/// <summary>The delivery queue: enqueue, claim with a lease, complete, reschedule, count, and concurrent claimers.</summary>
public abstract partial class FederationStoreContract
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    private static OutboxDelivery Delivery(int n) =>
        new(0, $"https://peer{n}.example/inbox", [(byte)n, 0xAB, 0xCD], 0, Start);

    /// <summary>Queues deliveries 1..<paramref name="count"/>, due at <see cref="Start"/>, and claims them all, to learn their ids.</summary>
    private async Task<List<OutboxDelivery>> EnqueueAndClaimAsync(int count)
    {
        await Store.EnqueueAsync([.. Enumerable.Range(1, count).Select(Delivery)], None);
        var claimed = await Store.ClaimDueAsync(Start, count + 10, Lease, None);
        claimed.Should().HaveCount(count);
        return [.. claimed.OrderBy(d => d.Body[0])];
    }

    [Test]
    public async Task Enqueued_deliveries_are_counted_and_claimed_with_ids_of_their_own_and_every_field()
    {
        (await Store.CountQueuedAsync(None)).Should().Be(0);
        await Store.EnqueueAsync([], None);
        await Store.EnqueueAsync([Delivery(1), Delivery(2)], None);
        await Store.EnqueueAsync([Delivery(3)], None);

        (await Store.CountQueuedAsync(None)).Should().Be(3);
        var claimed = await Store.ClaimDueAsync(Start, 10, Lease, None);

        claimed.Should().BeEquivalentTo([Delivery(1), Delivery(2), Delivery(3)], o => o.Excluding(d => d.Id).Excluding(d => d.Due));
        claimed.Select(d => d.Id).Should().OnlyHaveUniqueItems().And.OnlyContain(id => id > 0, "the store assigns the ids");
        claimed.Should().OnlyContain(d => d.LastError == null && d.Attempts == 0);
        (await Store.CountQueuedAsync(None)).Should().Be(3, "a claimed delivery is still queued until completed");
    }

    [Test]
    public async Task Claim_takes_at_most_max_and_never_a_delivery_claimed_already()
    {
        await Store.EnqueueAsync([.. Enumerable.Range(1, 5).Select(Delivery)], None);

        var first = await Store.ClaimDueAsync(Start, 2, Lease, None);
        var second = await Store.ClaimDueAsync(Start, 2, Lease, None);
        var third = await Store.ClaimDueAsync(Start, 2, Lease, None);
        var fourth = await Store.ClaimDueAsync(Start, 2, Lease, None);

        first.Should().HaveCount(2);
        second.Should().HaveCount(2);
        third.Should().ContainSingle();
        fourth.Should().BeEmpty();
        first.Concat(second).Concat(third).Select(d => d.Body[0]).Should().BeEquivalentTo(new byte[] { 1, 2, 3, 4, 5 });
    }

    [Test]
    public async Task A_claimed_delivery_is_hidden_until_its_lease_passes_and_then_claimable_again()
    {
        var claimed = (await EnqueueAndClaimAsync(1)).Single();

        (await Store.ClaimDueAsync(Start, 10, Lease, None)).Should().BeEmpty("it is leased");
        (await Store.ClaimDueAsync(Start + Lease - TimeSpan.FromMilliseconds(1), 10, Lease, None)).Should().BeEmpty("the lease has not passed");

        var again = await Store.ClaimDueAsync(Start + Lease, 10, Lease, None);

        again.Should().ContainSingle("a node that died mid-delivery loses nothing").Which.Should().BeEquivalentTo(claimed, o => o.Excluding(d => d.Due));
        (await Store.ClaimDueAsync(Start + Lease + Lease - TimeSpan.FromMilliseconds(1), 10, Lease, None)).Should().BeEmpty("the second claim leased it anew");
        (await Store.ClaimDueAsync(Start + Lease + Lease, 10, Lease, None)).Should().ContainSingle();
    }

    [Test]
    public async Task A_completed_delivery_is_gone_for_good()
    {
        var claimed = await EnqueueAndClaimAsync(2);

        await Store.CompleteAsync(claimed[0].Id, None);
        await Store.CompleteAsync(claimed[0].Id + 1000, None);

        (await Store.CountQueuedAsync(None)).Should().Be(1);
        var later = await Store.ClaimDueAsync(Start.AddHours(1), 10, Lease, None);
        later.Should().ContainSingle().Which.Id.Should().Be(claimed[1].Id, "only the other one comes back after the lease");
    }

    [Test]
    public async Task A_rescheduled_delivery_comes_back_at_its_due_time_with_its_attempts_and_last_error()
    {
        var claimed = await EnqueueAndClaimAsync(2);
        var due = Start.AddMinutes(10);

        await Store.RescheduleAsync(claimed[0].Id, 3, due, "HTTP 503", None);
        await Store.CompleteAsync(claimed[1].Id, None);

        (await Store.CountQueuedAsync(None)).Should().Be(1);
        (await Store.ClaimDueAsync(due.AddMilliseconds(-1), 10, Lease, None)).Should().BeEmpty("it is not due yet");
        var retry = (await Store.ClaimDueAsync(due, 10, Lease, None)).Should().ContainSingle().Subject;
        retry.Should().BeEquivalentTo(claimed[0] with { Attempts = 3, LastError = "HTTP 503" }, o => o.Excluding(d => d.Due));

        await Store.RescheduleAsync(retry.Id, 4, due.AddMinutes(10), null, None);

        var cleared = (await Store.ClaimDueAsync(due.AddMinutes(10), 10, Lease, None)).Should().ContainSingle().Subject;
        cleared.Attempts.Should().Be(4);
        cleared.LastError.Should().BeNull("a reschedule without an error clears the last one");
    }

    [Test]
    public async Task Rescheduling_a_delivery_that_another_node_completed_meanwhile_does_not_bring_it_back()
    {
        // Node A's lease ran out mid-delivery; node B claimed, sent and completed it; then A's attempt fails.
        var claimed = (await EnqueueAndClaimAsync(1)).Single();
        await Store.CompleteAsync(claimed.Id, None);

        await Store.RescheduleAsync(claimed.Id, 1, Start.AddMinutes(5), "timeout", None);

        (await Store.CountQueuedAsync(None)).Should().Be(0);
        (await Store.ClaimDueAsync(Start.AddHours(1), 10, Lease, None)).Should().BeEmpty();
    }

    [Test]
    public async Task Concurrent_claimers_on_two_stores_never_get_one_delivery_twice_and_together_get_all()
    {
        const int Count = 60;
        var second = await OpenSecondStoreAsync();
        IFederationStore[] stores = [Store, second];
        await Store.EnqueueAsync([.. Enumerable.Range(1, Count).Select(Delivery)], None);
        var claimed = new ConcurrentBag<long>();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(claimer => Task.Run(async () =>
        {
            var store = stores[claimer % 2];

            // Bounded, so a store that hands a delivery out again fails here rather than looping for ever.
            while (claimed.Count <= Count)
            {
                var batch = await store.ClaimDueAsync(Start, 3, Lease, None);
                if (batch.Count == 0)
                {
                    return;
                }

                foreach (var delivery in batch)
                {
                    claimed.Add(delivery.Id);
                }
            }
        })));

        claimed.Should().HaveCount(Count, "no delivery was handed out twice").And.OnlyHaveUniqueItems();
        (await Store.CountQueuedAsync(None)).Should().Be(Count);
    }
}
