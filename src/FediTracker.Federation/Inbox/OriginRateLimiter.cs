using System.Collections.Concurrent;
using System.Diagnostics;

namespace FediTracker.Federation.Inbox;

/// <summary>
/// A token bucket per sending origin (the host of a signature's keyId): <c>perMinute</c> requests a minute on average,
/// bursts up to <c>burst</c>. The table is bounded: past <c>maxOrigins</c> the idle buckets are dropped.
/// </summary>
public sealed class OriginRateLimiter
{
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.OrdinalIgnoreCase);
    private readonly long _ticksPerToken;
    private readonly long _burstTicks;
    private readonly int _maxOrigins;

    public OriginRateLimiter(int perMinute, int burst, int maxOrigins = 100_000)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(perMinute);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        Enabled = perMinute > 0;
        _ticksPerToken = Enabled ? Math.Max(1, Stopwatch.Frequency * 60 / perMinute) : 1;
        _burstTicks = _ticksPerToken * burst;
        _maxOrigins = maxOrigins;
    }

    public bool Enabled { get; }

    public bool TryAcquire(string origin) => TryAcquire(origin, Stopwatch.GetTimestamp());

    public bool TryAcquire(string origin, long now)
    {
        ArgumentNullException.ThrowIfNull(origin);
        if (!Enabled)
        {
            return true;
        }

        if (_buckets.Count >= _maxOrigins && !_buckets.ContainsKey(origin))
        {
            RemoveIdle(now);
        }

        var bucket = _buckets.GetOrAdd(origin, static (_, start) => new Bucket(start), now - _burstTicks);
        lock (bucket)
        {
            // The bucket's "time" advances by one token's worth per request; it may not lag more than a burst behind.
            var start = Math.Max(bucket.Time, now - _burstTicks);
            if (start + _ticksPerToken > now)
            {
                return false;
            }

            bucket.Time = start + _ticksPerToken;
            return true;
        }
    }

    private void RemoveIdle(long now)
    {
        foreach (var (key, bucket) in _buckets)
        {
            if (bucket.Time <= now - _burstTicks)
            {
                _buckets.TryRemove(key, out _);
            }
        }
    }

    private sealed class Bucket(long time)
    {
        public long Time { get; set; } = time;
    }
}
