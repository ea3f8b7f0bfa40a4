namespace FediTracker.Core.FederationState;

/// <summary>
/// The durable state of federation, shared by every node: followers, activity ids already handled, deletes waiting
/// for their object to be registered, actors suspended on their origin's word, and the delivery queue. SQLite in the
/// single-node shape, Redis in the cluster shape. Every method is safe to call concurrently, from several nodes.
/// </summary>
public interface IFederationStore
{
    /// <summary>Adds or replaces a follower (keyed by its actor id).</summary>
    Task AddFollowerAsync(Follower follower, CancellationToken cancellationToken);

    /// <summary>Removes a follower; false when it was not one.</summary>
    Task<bool> RemoveFollowerAsync(string actorId, CancellationToken cancellationToken);

    Task<IReadOnlyList<Follower>> ListFollowersAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Marks an activity id as handled until <paramref name="expiresAt"/>. True when it was not marked yet (the
    /// caller handles it); false for a replay. Atomic: of two concurrent calls with one id, one gets true.
    /// </summary>
    Task<bool> TryMarkSeenAsync(string activityId, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>Unmarks an id whose handling failed or was refused, so a later delivery is judged afresh.</summary>
    Task ForgetSeenAsync(string activityId, CancellationToken cancellationToken);

    /// <summary>Keeps a delete for an object not registered yet, unless its domain has <paramref name="perDomainQuota"/> already.</summary>
    Task<PendingAddOutcome> AddPendingTombstoneAsync(PendingTombstone tombstone, int perDomainQuota, CancellationToken cancellationToken);

    /// <summary>The unexpired pending deletes of an object.</summary>
    Task<IReadOnlyList<PendingTombstone>> GetPendingTombstonesAsync(string objectUri, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Drops the pending deletes of an object (once applied).</summary>
    Task RemovePendingTombstonesAsync(string objectUri, CancellationToken cancellationToken);

    /// <summary>Records that an actor's torrents were suspended because its origin said so (or clears that).</summary>
    Task SetActorSuspendedAsync(string actorUri, bool suspended, CancellationToken cancellationToken);

    /// <summary>Whether an actor's torrents are suspended on its origin's word (not an admin's).</summary>
    Task<bool> IsActorSuspendedAsync(string actorUri, CancellationToken cancellationToken);

    /// <summary>Queues deliveries, due at once.</summary>
    Task EnqueueAsync(IReadOnlyList<OutboxDelivery> deliveries, CancellationToken cancellationToken);

    /// <summary>
    /// Takes up to <paramref name="max"/> deliveries due at <paramref name="now"/> and hides them for
    /// <paramref name="lease"/>, so no other node takes them meanwhile; a node that dies mid-delivery loses nothing.
    /// </summary>
    Task<IReadOnlyList<OutboxDelivery>> ClaimDueAsync(DateTimeOffset now, int max, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Removes a delivery (sent, or given up).</summary>
    Task CompleteAsync(long id, CancellationToken cancellationToken);

    /// <summary>Puts a delivery back for another attempt at <paramref name="due"/>.</summary>
    Task RescheduleAsync(long id, int attempts, DateTimeOffset due, string? lastError, CancellationToken cancellationToken);

    /// <summary>Deliveries queued (due or not).</summary>
    Task<long> CountQueuedAsync(CancellationToken cancellationToken);

    /// <summary>Forgets expired activity ids and pending deletes.</summary>
    Task PurgeExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>Who follows the tracker.</summary>
public enum FollowerKind
{
    /// <summary>An instance subscribed as to a relay (Follow of the public collection). It is sent nothing.</summary>
    Relay = 0,

    /// <summary>A peer tracker following our actor: our revocations are delivered to it.</summary>
    Tracker = 1,
}

/// <summary>A follower: its actor, the inbox deliveries go to, how it followed.</summary>
public sealed record Follower(string ActorId, string Inbox, FollowerKind Kind, string FollowActivityId, DateTimeOffset Since);

/// <summary>A delete of an object not registered yet; applied if the object is registered by <see cref="ActorUri"/>.</summary>
public sealed record PendingTombstone(string ObjectUri, string ActorUri, string Domain, string ActivityId, DateTimeOffset ExpiresAt);

public enum PendingAddOutcome
{
    Added = 0,

    /// <summary>The same object and actor were pending already.</summary>
    Exists = 1,

    QuotaExceeded = 2,
}

/// <summary>One activity to POST to one inbox. <see cref="Id"/> is assigned by the store.</summary>
public sealed record OutboxDelivery(long Id, string Inbox, byte[] Body, int Attempts, DateTimeOffset Due, string? LastError = null);
