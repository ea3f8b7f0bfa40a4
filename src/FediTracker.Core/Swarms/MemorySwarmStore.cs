using System.Collections.Concurrent;
using FediTracker.Protocol;

namespace FediTracker.Core.Swarms;

/// <summary>
/// The embedded swarm store: every swarm in process memory, one lock per swarm and no lock over them all (the
/// swarm map is a <see cref="ConcurrentDictionary{TKey, TValue}"/>, read without locking). Expiry is
/// <see cref="RemoveExpired"/>, which a background timer calls; it locks one swarm at a time.
/// </summary>
public sealed class MemorySwarmStore : ISwarmStore
{
    private readonly ConcurrentDictionary<InfoHash, Swarm> _swarms;
    private readonly TimeProvider _time;
    private readonly long _origin;
    private readonly int _peerTimeoutSeconds;
    private long _peerCount;

    public MemorySwarmStore(TimeProvider time, TimeSpan peerTimeout)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(peerTimeout, TimeSpan.FromSeconds(1));
        _time = time;
        _origin = time.GetTimestamp();
        _peerTimeoutSeconds = (int)peerTimeout.TotalSeconds;
        _swarms = new ConcurrentDictionary<InfoHash, Swarm>(Environment.ProcessorCount * 4, 1024);
    }

    /// <summary>Swarms held now.</summary>
    public int SwarmCount => _swarms.Count;

    /// <summary>Peers held now (kept up to date by every insert and removal).</summary>
    public long PeerCount => Interlocked.Read(ref _peerCount);

    public ValueTask<StoreAnnounceResult> AnnounceAsync(AnnounceRequest request, Memory<PeerEntry> peers, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Announce(request, peers.Span));

    /// <summary>The synchronous announce behind <see cref="AnnounceAsync"/>.</summary>
    public StoreAnnounceResult Announce(in AnnounceRequest request, Span<PeerEntry> peers)
    {
        if (request.Event == AnnounceEvent.Stopped)
        {
            return Stop(request);
        }

        var now = Now();
        var seeder = request.IsSeeder;
        var limit = Math.Min(Math.Max(request.NumWant, 0), peers.Length);
        var random = (ulong)Random.Shared.NextInt64();
        while (true)
        {
            var swarm = _swarms.GetOrAdd(request.InfoHash, static _ => new Swarm());
            lock (swarm)
            {
                if (swarm.Removed)
                {
                    continue;
                }

                PriorState prior;
                int written;
                if (request.Endpoint.IsIPv4)
                {
                    var table = swarm.V4 ??= new PeerTable<V4Key>();
                    var key = V4Key.From(request.Endpoint);
                    prior = table.Upsert(key, request.PeerId, seeder, now);
                    written = table.Select(key, seeder, peers[..limit], random);
                }
                else
                {
                    var table = swarm.V6 ??= new PeerTable<V6Key>();
                    var key = V6Key.From(request.Endpoint);
                    prior = table.Upsert(key, request.PeerId, seeder, now);
                    written = table.Select(key, seeder, peers[..limit], random);
                }

                if (prior == PriorState.New)
                {
                    Interlocked.Increment(ref _peerCount);
                }

                if (request.Event == AnnounceEvent.Completed && prior != PriorState.Seeder)
                {
                    swarm.Downloaded++;
                }

                return new StoreAnnounceResult(written, swarm.Complete, swarm.Incomplete, swarm.Downloaded);
            }
        }
    }

    public ValueTask ScrapeAsync(ReadOnlyMemory<InfoHash> infoHashes, Memory<ScrapeEntry> results, CancellationToken cancellationToken)
    {
        Scrape(infoHashes.Span, results.Span);
        return ValueTask.CompletedTask;
    }

    /// <summary>The synchronous scrape behind <see cref="ScrapeAsync"/>.</summary>
    public void Scrape(ReadOnlySpan<InfoHash> infoHashes, Span<ScrapeEntry> results)
    {
        for (var i = 0; i < infoHashes.Length; i++)
        {
            if (_swarms.TryGetValue(infoHashes[i], out var swarm))
            {
                lock (swarm)
                {
                    results[i] = new ScrapeEntry(swarm.Complete, swarm.Downloaded, swarm.Incomplete);
                }
            }
            else
            {
                results[i] = default;
            }
        }
    }

    public ValueTask<int> PurgeAsync(InfoHash infoHash, CancellationToken cancellationToken)
    {
        if (!_swarms.TryRemove(infoHash, out var swarm))
        {
            return ValueTask.FromResult(0);
        }

        int dropped;
        lock (swarm)
        {
            swarm.Removed = true;
            dropped = swarm.Count;
            swarm.V4 = null;
            swarm.V6 = null;
        }

        Interlocked.Add(ref _peerCount, -dropped);
        return ValueTask.FromResult(dropped);
    }

    /// <summary>
    /// Drops peers not seen within the peer timeout, and swarms left empty. Locks one swarm at a time, so
    /// announces to other swarms go on meanwhile. Returns how many peers were dropped.
    /// </summary>
    public long RemoveExpired()
    {
        var cutoff = Now() - _peerTimeoutSeconds;
        long removed = 0;
        foreach (var (hash, swarm) in _swarms)
        {
            lock (swarm)
            {
                if (swarm.Removed)
                {
                    continue;
                }

                var dropped = (swarm.V4?.RemoveOlderThan(cutoff) ?? 0) + (swarm.V6?.RemoveOlderThan(cutoff) ?? 0);
                removed += dropped;
                if (swarm.V4 is { Count: 0 })
                {
                    swarm.V4 = null;
                }

                if (swarm.V6 is { Count: 0 })
                {
                    swarm.V6 = null;
                }

                if (swarm.Count == 0)
                {
                    // Marked under its lock before it leaves the map: an announcer that fetched it already will
                    // see the mark and fetch (or create) the swarm again.
                    swarm.Removed = true;
                    _swarms.TryRemove(new KeyValuePair<InfoHash, Swarm>(hash, swarm));
                }
            }
        }

        Interlocked.Add(ref _peerCount, -removed);
        return removed;
    }

    private StoreAnnounceResult Stop(in AnnounceRequest request)
    {
        if (!_swarms.TryGetValue(request.InfoHash, out var swarm))
        {
            return default;
        }

        lock (swarm)
        {
            var removed = request.Endpoint.IsIPv4
                ? swarm.V4?.Remove(V4Key.From(request.Endpoint)) ?? false
                : swarm.V6?.Remove(V6Key.From(request.Endpoint)) ?? false;
            if (removed)
            {
                Interlocked.Decrement(ref _peerCount);
            }

            return new StoreAnnounceResult(0, swarm.Complete, swarm.Incomplete, swarm.Downloaded);
        }
    }

    private int Now() => (int)_time.GetElapsedTime(_origin).TotalSeconds;
}
