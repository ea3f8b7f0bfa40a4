using FediTracker.Core.Registry;
using FediTracker.Federation.Activities;
using FediTracker.Federation.Diagnostics;
using FediTracker.Federation.Inbox;
using FediTracker.Core.FederationState;
using Microsoft.Extensions.Logging;

namespace FediTracker.Federation.Outbox;

/// <summary>
/// Federation's view of registry writes. A revocation that changed something becomes a signed <c>Delete</c> queued
/// for every peer tracker following us (relay subscribers are sent nothing). A new registration whose object has a
/// pending delete from the same actor is revoked at once: <see cref="ModerationService"/> calls this after every
/// created registration, whichever path made it, which is why the check lives here rather than in the admin API.
/// </summary>
public sealed class FederationRegistryObserver : IRegistryObserver
{
    private readonly TrackerActor _actor;
    private readonly IFederationStore _store;
    private readonly DeliveryScheduler _queue;
    private readonly DeletionApplier _applier;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public FederationRegistryObserver(TrackerActor actor, IFederationStore store, DeliveryScheduler queue, DeletionApplier applier, TimeProvider time, ILogger<FederationRegistryObserver> logger)
    {
        _actor = actor ?? throw new ArgumentNullException(nameof(actor));
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _queue = queue ?? throw new ArgumentNullException(nameof(queue));
        _applier = applier ?? throw new ArgumentNullException(nameof(applier));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    public ValueTask OnAccessChangedAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public async ValueTask OnModeratedAsync(ModerationRequest request, ModerationResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(result);
        if (request.Kind != ModerationKind.Revoke || !result.Changed || result.Record is not { } record)
        {
            return;
        }

        var followers = await _store.ListFollowersAsync(cancellationToken).ConfigureAwait(false);
        var body = _actor.Revocation(record);
        var items = new List<(string, byte[])>();
        var inboxes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var follower in followers)
        {
            if (follower.Kind == FollowerKind.Tracker && inboxes.Add(follower.Inbox))
            {
                items.Add((follower.Inbox, body));
            }
        }

        await _queue.EnqueueAsync(items, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask OnRegisteredAsync(TorrentRecord torrent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(torrent);
        if (torrent.ObjectUri is not { } objectUri)
        {
            return;
        }

        var pending = await _store.GetPendingTombstonesAsync(objectUri, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        foreach (var tombstone in pending)
        {
            if (tombstone.ActorUri != torrent.ActorUri)
            {
                continue;
            }

            var outcome = await _applier.DeleteObjectAsync(objectUri, tombstone.ActorUri, "the post was deleted at its origin before it was registered", "delete_object_pending", cancellationToken).ConfigureAwait(false);
            if (outcome is ObjectDeleteOutcome.Revoked or ObjectDeleteOutcome.PartlyRevoked)
            {
                await _store.RemovePendingTombstonesAsync(objectUri, cancellationToken).ConfigureAwait(false);
                return;
            }
        }

        if (pending.Count > 0)
        {
            FederationLog.ObserverFailed(_logger, $"apply a pending delete of {objectUri}: it came from another actor than {torrent.ActorUri}", new InvalidOperationException("actor mismatch"));
        }
    }
}
