using System.Globalization;
using FediTracker.Core.FederationState;
using StackExchange.Redis;

namespace FediTracker.Storage.Redis;

/// <summary>
/// Federation state in Redis for the cluster shape, every key under the hash tag <c>{fed}</c> (one slot, so the
/// scripts below run on one shard of a Redis Cluster):
/// <list type="table">
/// <item><term><c>P:{fed}:followers</c></term><description>hash: actor id → kind, inbox, follow id, since (tab-separated)</description></item>
/// <item><term><c>P:{fed}:seen:&lt;activity id&gt;</c></term><description>a handled activity id: its expiry (ms) by the store's clock, and a TTL to match</description></item>
/// <item><term><c>P:{fed}:pending:&lt;object uri&gt;</c></term><description>hash: actor → domain, activity id, expiry</description></item>
/// <item><term><c>P:{fed}:pdomain:&lt;domain&gt;</c></term><description>sorted set of a domain's pending deletes by expiry (the quota)</description></item>
/// <item><term><c>P:{fed}:suspended</c></term><description>set of actors suspended on their origin's word</description></item>
/// <item><term><c>P:{fed}:outbox:seq</c>, <c>:outbox:due</c>, <c>:outbox:item:&lt;id&gt;</c></term><description>the delivery
/// queue: an id counter, ids by due time (ms), and each delivery's inbox, body, attempts and last error</description></item>
/// </list>
/// Claiming moves the due time forward by the lease in the same script, so two nodes never send one delivery at once.
/// </summary>
public sealed class RedisFederationStore : IFederationStore
{
    private const string AddPendingScript = """
        local now = tonumber(ARGV[6])
        local existing = redis.call('HGET', KEYS[1], ARGV[1])
        if existing then
          local expires = tonumber(string.match(existing, '([^\t]*)$'))
          if expires and expires > now then return 1 end
        end
        redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
        if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then return 2 end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '\t' .. ARGV[3] .. '\t' .. ARGV[4])
        redis.call('PEXPIREAT', KEYS[1], ARGV[4])
        redis.call('ZADD', KEYS[2], ARGV[4], ARGV[7])
        return 0
        """;

    private const string ClaimScript = """
        local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
        local out = {}
        for _, id in ipairs(ids) do
          redis.call('ZADD', KEYS[1], ARGV[3], id)
          local item = redis.call('HMGET', ARGV[4] .. id, 'inbox', 'body', 'attempts', 'error')
          table.insert(out, id)
          table.insert(out, item[1] or '')
          table.insert(out, item[2] or '')
          table.insert(out, item[3] or '0')
          table.insert(out, item[4] or '')
        end
        return out
        """;

    // The value is the expiry (ms) by the store's clock, which judges it, as in SQLite; the key's own TTL only
    // reclaims the memory. A value of 1 is a mark written before the expiry was kept: seen until its TTL.
    private const string MarkSeenScript = """
        local existing = redis.call('GET', KEYS[1])
        if existing then
          local expires = tonumber(existing)
          if not expires or expires <= 1 or expires > tonumber(ARGV[1]) then return 0 end
        end
        redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
        return 1
        """;

    private const string RescheduleScript = """
        if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
        redis.call('HSET', KEYS[2], 'attempts', ARGV[1], 'error', ARGV[2])
        redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
        return 1
        """;

    private readonly IDatabase _database;
    private readonly TimeProvider _time;
    private readonly string _stem;

    public RedisFederationStore(IConnectionMultiplexer multiplexer, RedisStoreOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(multiplexer);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _database = multiplexer.GetDatabase();
        _time = time;
        _stem = new RedisKeys(options.KeyPrefix).Prefix + ":{fed}:";
    }

    private RedisKey Followers => _stem + "followers";

    private RedisKey Suspended => _stem + "suspended";

    private RedisKey OutboxDue => _stem + "outbox:due";

    private RedisKey OutboxSeq => _stem + "outbox:seq";

    private string OutboxItem => _stem + "outbox:item:";

    public Task AddFollowerAsync(Follower follower, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(follower);
        var value = string.Join('\t', ((int)follower.Kind).ToString(CultureInfo.InvariantCulture), follower.Inbox, follower.FollowActivityId, follower.Since.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        return RunAsync(() => _database.HashSetAsync(Followers, follower.ActorId, value));
    }

    public Task<bool> RemoveFollowerAsync(string actorId, CancellationToken cancellationToken) =>
        RunAsync(() => _database.HashDeleteAsync(Followers, actorId));

    public Task<IReadOnlyList<Follower>> ListFollowersAsync(CancellationToken cancellationToken) => RunAsync<IReadOnlyList<Follower>>(async () =>
    {
        var entries = await _database.HashGetAllAsync(Followers).ConfigureAwait(false);
        var list = new List<Follower>(entries.Length);
        foreach (var entry in entries)
        {
            var parts = entry.Value.ToString().Split('\t');
            if (parts.Length == 4)
            {
                list.Add(new Follower(entry.Name.ToString(), parts[1], (FollowerKind)int.Parse(parts[0], CultureInfo.InvariantCulture), parts[2], DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(parts[3], CultureInfo.InvariantCulture))));
            }
        }

        list.Sort((a, b) => a.Since.CompareTo(b.Since));
        return list;
    });

    public Task<bool> TryMarkSeenAsync(string activityId, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(activityId);
        var now = _time.GetUtcNow();
        var ttl = expiresAt - now;
        if (ttl < TimeSpan.FromSeconds(1))
        {
            ttl = TimeSpan.FromSeconds(1);
        }

        return RunAsync(async () => (bool)await _database.ScriptEvaluateAsync(
            MarkSeenScript,
            [_stem + "seen:" + activityId],
            [now.ToUnixTimeMilliseconds(), expiresAt.ToUnixTimeMilliseconds(), (long)ttl.TotalMilliseconds]).ConfigureAwait(false));
    }

    public Task ForgetSeenAsync(string activityId, CancellationToken cancellationToken) =>
        RunAsync(() => _database.KeyDeleteAsync(_stem + "seen:" + activityId));

    public Task<PendingAddOutcome> AddPendingTombstoneAsync(PendingTombstone tombstone, int perDomainQuota, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tombstone);
        return RunAsync(async () =>
        {
            var result = await _database.ScriptEvaluateAsync(
                AddPendingScript,
                [_stem + "pending:" + tombstone.ObjectUri, _stem + "pdomain:" + tombstone.Domain],
                [tombstone.ActorUri, tombstone.Domain, tombstone.ActivityId, tombstone.ExpiresAt.ToUnixTimeMilliseconds(), perDomainQuota, _time.GetUtcNow().ToUnixTimeMilliseconds(), tombstone.ObjectUri + "\t" + tombstone.ActorUri]).ConfigureAwait(false);
            return (PendingAddOutcome)(int)result;
        });
    }

    public Task<IReadOnlyList<PendingTombstone>> GetPendingTombstonesAsync(string objectUri, DateTimeOffset now, CancellationToken cancellationToken) => RunAsync<IReadOnlyList<PendingTombstone>>(async () =>
    {
        var entries = await _database.HashGetAllAsync(_stem + "pending:" + objectUri).ConfigureAwait(false);
        var list = new List<PendingTombstone>();
        foreach (var entry in entries)
        {
            var parts = entry.Value.ToString().Split('\t');
            if (parts.Length == 3 && long.TryParse(parts[2], CultureInfo.InvariantCulture, out var expires) && expires > now.ToUnixTimeMilliseconds())
            {
                list.Add(new PendingTombstone(objectUri, entry.Name.ToString(), parts[0], parts[1], DateTimeOffset.FromUnixTimeMilliseconds(expires)));
            }
        }

        return list;
    });

    public Task RemovePendingTombstonesAsync(string objectUri, CancellationToken cancellationToken) => RunAsync(async () =>
    {
        // The domain sets keep the entry until it expires; it only counts against the quota that long.
        var entries = await _database.HashGetAllAsync(_stem + "pending:" + objectUri).ConfigureAwait(false);
        foreach (var entry in entries)
        {
            var parts = entry.Value.ToString().Split('\t');
            if (parts.Length == 3)
            {
                await _database.SortedSetRemoveAsync(_stem + "pdomain:" + parts[0], objectUri + "\t" + entry.Name).ConfigureAwait(false);
            }
        }

        return await _database.KeyDeleteAsync(_stem + "pending:" + objectUri).ConfigureAwait(false);
    });

    public Task SetActorSuspendedAsync(string actorUri, bool suspended, CancellationToken cancellationToken) =>
        RunAsync(() => suspended ? _database.SetAddAsync(Suspended, actorUri) : _database.SetRemoveAsync(Suspended, actorUri));

    public Task<bool> IsActorSuspendedAsync(string actorUri, CancellationToken cancellationToken) =>
        RunAsync(() => _database.SetContainsAsync(Suspended, actorUri));

    public Task EnqueueAsync(IReadOnlyList<OutboxDelivery> deliveries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        return RunAsync(async () =>
        {
            foreach (var d in deliveries)
            {
                var id = await _database.StringIncrementAsync(OutboxSeq).ConfigureAwait(false);
                var key = OutboxItem + id.ToString(CultureInfo.InvariantCulture);
                var transaction = _database.CreateTransaction();
                _ = transaction.HashSetAsync(key, [new("inbox", d.Inbox), new("body", d.Body), new("attempts", d.Attempts), new("error", d.LastError ?? string.Empty)]);
                _ = transaction.SortedSetAddAsync(OutboxDue, id, d.Due.ToUnixTimeMilliseconds());
                await transaction.ExecuteAsync().ConfigureAwait(false);
            }

            return 0;
        });
    }

    public Task<IReadOnlyList<OutboxDelivery>> ClaimDueAsync(DateTimeOffset now, int max, TimeSpan lease, CancellationToken cancellationToken) => RunAsync<IReadOnlyList<OutboxDelivery>>(async () =>
    {
        var result = (RedisResult[])(await _database.ScriptEvaluateAsync(
            ClaimScript,
            [OutboxDue],
            [now.ToUnixTimeMilliseconds(), max, (now + lease).ToUnixTimeMilliseconds(), OutboxItem]).ConfigureAwait(false))!;
        var list = new List<OutboxDelivery>(result.Length / 5);
        for (var i = 0; i + 4 < result.Length; i += 5)
        {
            var inbox = result[i + 1].ToString();
            if (inbox.Length == 0)
            {
                continue;
            }

            var error = result[i + 4].ToString();
            list.Add(new OutboxDelivery(
                long.Parse(result[i].ToString(), CultureInfo.InvariantCulture),
                inbox,
                (byte[])result[i + 2]!,
                int.Parse(result[i + 3].ToString(), CultureInfo.InvariantCulture),
                now,
                error.Length == 0 ? null : error));
        }

        return list;
    });

    public Task CompleteAsync(long id, CancellationToken cancellationToken) => RunAsync(async () =>
    {
        var transaction = _database.CreateTransaction();
        _ = transaction.SortedSetRemoveAsync(OutboxDue, id);
        _ = transaction.KeyDeleteAsync(OutboxItem + id.ToString(CultureInfo.InvariantCulture));
        return await transaction.ExecuteAsync().ConfigureAwait(false);
    });

    /// <summary>Only while the delivery is still queued: another node may have claimed it after our lease ran out and completed it.</summary>
    public Task RescheduleAsync(long id, int attempts, DateTimeOffset due, string? lastError, CancellationToken cancellationToken) =>
        RunAsync(() => _database.ScriptEvaluateAsync(
            RescheduleScript,
            [OutboxDue, OutboxItem + id.ToString(CultureInfo.InvariantCulture)],
            [attempts, lastError ?? string.Empty, due.ToUnixTimeMilliseconds(), id]));

    public Task<long> CountQueuedAsync(CancellationToken cancellationToken) => RunAsync(() => _database.SortedSetLengthAsync(OutboxDue));

    public Task PurgeExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        Task.CompletedTask; // Seen ids and pending deletes expire by themselves (key TTLs); domain sets are trimmed on use.

    private static async Task<T> RunAsync<T>(Func<Task<T>> work)
    {
        try
        {
            return await work().ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            throw new FederationStoreUnavailableException("The federation state in Redis cannot be reached: " + e.Message, e);
        }
    }
}
