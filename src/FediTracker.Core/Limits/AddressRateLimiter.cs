using System.Collections.Concurrent;
using System.Diagnostics;
using FediTracker.Protocol;

namespace FediTracker.Core.Limits;

/// <summary>
/// A token bucket per client address: each address may make <c>ratePerSecond</c> requests a second on average, with
/// bursts up to <c>burst</c>. IPv6 clients are limited per /64, since one host is usually given a whole /64.
/// Lock-free per request; a bucket is allocated only the first time an address is seen, and
/// <see cref="RemoveIdle()"/> (on a timer) forgets full buckets so the table does not grow without bound.
/// Only addresses that are proven (a TCP connection, or a valid UDP connection id) should be counted.
/// </summary>
public sealed class AddressRateLimiter
{
    private readonly ConcurrentDictionary<PeerAddress, Bucket> _buckets = new();
    private readonly long _ticksPerToken;
    private readonly long _burstTicks;
    private readonly int _maxAddresses;

    /// <param name="ratePerSecond">Sustained requests per second per address; 0 turns limiting off.</param>
    /// <param name="burst">Requests an idle address may make at once.</param>
    /// <param name="maxAddresses">Addresses tracked at most; past that, new addresses are not limited until a sweep.</param>
    public AddressRateLimiter(double ratePerSecond, int burst, int maxAddresses = 1_000_000)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ratePerSecond);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        Enabled = ratePerSecond > 0;
        _ticksPerToken = Enabled ? Math.Max(1, (long)(Stopwatch.Frequency / ratePerSecond)) : 1;
        _burstTicks = _ticksPerToken * burst;
        _maxAddresses = maxAddresses;
    }

    public bool Enabled { get; }

    /// <summary>Addresses tracked now.</summary>
    public int Count => _buckets.Count;

    /// <summary>Takes one token for <paramref name="address"/>; false when the address is over its rate.</summary>
    public bool TryAcquire(PeerAddress address) => TryAcquire(address, Stopwatch.GetTimestamp());

    /// <summary>The same, at a given <see cref="Stopwatch"/> timestamp (for tests).</summary>
    public bool TryAcquire(PeerAddress address, long now)
    {
        if (!Enabled)
        {
            return true;
        }

        var key = address.IsIPv4 ? address : address.Prefix64();
        if (!_buckets.TryGetValue(key, out var bucket))
        {
            if (_buckets.Count >= _maxAddresses)
            {
                return true;
            }

            bucket = _buckets.GetOrAdd(key, static (_, start) => new Bucket(start), now - _burstTicks);
        }

        // The bucket holds one timestamp: the moment it would be full again. A request moves it one token later;
        // it is refused when that would put it more than a burst ahead of now.
        while (true)
        {
            var full = Volatile.Read(ref bucket.FullAt);
            var next = Math.Max(full, now - _burstTicks) + _ticksPerToken;
            if (next > now)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref bucket.FullAt, next, full) == full)
            {
                return true;
            }
        }
    }

    /// <summary>Forgets addresses whose bucket is full again (idle for a burst's time); returns how many.</summary>
    public int RemoveIdle() => RemoveIdle(Stopwatch.GetTimestamp());

    public int RemoveIdle(long now)
    {
        var removed = 0;
        foreach (var (key, bucket) in _buckets)
        {
            if (Volatile.Read(ref bucket.FullAt) <= now - _burstTicks && _buckets.TryRemove(new KeyValuePair<PeerAddress, Bucket>(key, bucket)))
            {
                removed++;
            }
        }

        return removed;
    }

    private sealed class Bucket(long fullAt)
    {
        public long FullAt = fullAt;
    }
}
