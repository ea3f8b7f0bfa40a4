using FediTracker.Core.FederationState;

namespace FediTracker.Federation.Outbox;

/// <summary>Puts deliveries in the durable queue and wakes this node's delivery worker.</summary>
public sealed class DeliveryScheduler : IDisposable
{
    private readonly IFederationStore _store;
    private readonly SemaphoreSlim _signal = new(0, 1);

    public DeliveryScheduler(IFederationStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    public async Task EnqueueAsync(IReadOnlyList<(string Inbox, byte[] Body)> items, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0)
        {
            return;
        }

        var deliveries = new OutboxDelivery[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            deliveries[i] = new OutboxDelivery(0, items[i].Inbox, items[i].Body, 0, now);
        }

        await _store.EnqueueAsync(deliveries, cancellationToken).ConfigureAwait(false);
        Wake();
    }

    /// <summary>Wakes the worker (coalesced).</summary>
    public void Wake()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // A wake-up is pending already.
        }
    }

    public void Dispose() => _signal.Dispose();

    /// <summary>Waits for a wake-up or <paramref name="timeout"/>.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        await _signal.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
}
