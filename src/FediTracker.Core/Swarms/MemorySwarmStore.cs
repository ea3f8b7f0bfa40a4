using System.Collections.Concurrent;
using FediTracker.Core.Diagnostics;
using FediTracker.Protocol;

namespace FediTracker.Core.Swarms;

/// <summary>
/// The embedded swarm store: every swarm in process memory, one lock per swarm and no lock over them all (the
/// swarm map is a <see cref="ConcurrentDictionary{TKey, TValue}"/>, read without locking). A swarm is one object
/// plus one array of 32-byte records for its IPv4 peers (see <see cref="PeerList{TKey}"/>). Expiry is
/// <see cref="RemoveExpired"/>, which a background timer calls; it locks one swarm at a time.
/// </summary>
public sealed class MemorySwarmStore : ISwarmStore, ISwarmTotals
{
    private readonly ConcurrentDictionary<InfoHash, Swarm> _swarms;
    private readonly TimeProvider _time;
    private readonly long _origin;
    private readonly int _peerTimeoutSeconds;
    private long _seeders;
    private long _leechers;
    private int _tombstones;

    public MemorySwarmStore(TimeProvider time, TimeSpan peerTimeout)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(peerTimeout, TimeSpan.FromSeconds(1));
        _time = time;
        _origin = time.GetTimestamp();
        _peerTimeoutSeconds = (int)peerTimeout.TotalSeconds;
        _swarms = new ConcurrentDictionary<InfoHash, Swarm>(Environment.ProcessorCount * 4, 1024);
    }

    /// <summary>Swarms held now; the tombstones of blocked hashes are not swarms and are not counted.</summary>
    public int SwarmCount => Math.Max(0, _swarms.Count - Volatile.Read(ref _tombstones));

    /// <summary>Blocked hashes held as tombstones.</summary>
    internal int BlockedCount => Volatile.Read(ref _tombstones);

    /// <summary>Peers held now (kept up to date by every insert, class change and removal).</summary>
    public long PeerCount => Interlocked.Read(ref _seeders) + Interlocked.Read(ref _leechers);

    public SwarmTotals GetTotals() => new(SwarmCount, Interlocked.Read(ref _seeders), Interlocked.Read(ref _leechers));

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

                if (swarm.Blocked)
                {
                    return new StoreAnnounceResult(0, 0, 0, 0, StoreAnnounceStatus.Revoked);
                }

                PriorState prior;
                int written;
                if (request.Endpoint.IsIPv4)
                {
                    prior = swarm.V4.Upsert(V4Key.From(request.Endpoint), request.PeerId, seeder, now, out var self);
                    written = swarm.V4.Select(self, seeder, peers[..limit], random);
                }
                else
                {
                    var v6 = swarm.V6 ??= new V6Peers();
                    prior = v6.List.Upsert(V6Key.From(request.Endpoint), request.PeerId, seeder, now, out var self);
                    written = v6.List.Select(self, seeder, peers[..limit], random);
                }

                Count(prior, seeder);

                // A download is counted when a peer says it completed and now has nothing left; a repeated
                // 'completed' from a peer already seeding, or one with data still left, counts nothing.
                if (request.Event == AnnounceEvent.Completed && seeder && prior != PriorState.Seeder)
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
        if (!_swarms.TryGetValue(infoHash, out var swarm))
        {
            return ValueTask.FromResult(0);
        }

        int seeders, leechers;
        lock (swarm)
        {
            if (swarm.Removed || swarm.Blocked)
            {
                // Gone already, or a tombstone that holds no peer and must stay.
                return ValueTask.FromResult(0);
            }

            swarm.Removed = true;
            seeders = swarm.Complete;
            leechers = swarm.Incomplete;
            swarm.ClearPeers();
            _swarms.TryRemove(new KeyValuePair<InfoHash, Swarm>(infoHash, swarm));
        }

        Interlocked.Add(ref _seeders, -seeders);
        Interlocked.Add(ref _leechers, -leechers);
        return ValueTask.FromResult(seeders + leechers);
    }

    public ValueTask<int> BlockAsync(InfoHash infoHash, CancellationToken cancellationToken)
    {
        while (true)
        {
            var swarm = _swarms.GetOrAdd(infoHash, static _ => new Swarm());
            int seeders, leechers;
            lock (swarm)
            {
                if (swarm.Removed)
                {
                    continue;
                }

                seeders = swarm.Complete;
                leechers = swarm.Incomplete;
                if (!swarm.Blocked)
                {
                    swarm.Blocked = true;
                    Interlocked.Increment(ref _tombstones);
                }

                swarm.ClearPeers();
                swarm.Downloaded = 0;
            }

            Interlocked.Add(ref _seeders, -seeders);
            Interlocked.Add(ref _leechers, -leechers);
            return ValueTask.FromResult(seeders + leechers);
        }
    }

    public ValueTask UnblockAsync(InfoHash infoHash, CancellationToken cancellationToken)
    {
        if (_swarms.TryGetValue(infoHash, out var swarm))
        {
            lock (swarm)
            {
                if (swarm.Blocked)
                {
                    // The tombstone leaves the map; the next announce starts a fresh swarm.
                    swarm.Blocked = false;
                    swarm.Removed = true;
                    Interlocked.Decrement(ref _tombstones);
                    _swarms.TryRemove(new KeyValuePair<InfoHash, Swarm>(infoHash, swarm));
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Drops peers not seen within the peer timeout, and swarms left empty. Locks one swarm at a time, so
    /// announces to other swarms go on meanwhile. Returns how many peers were dropped.
    /// </summary>
    public long RemoveExpired()
    {
        var cutoff = Now() - _peerTimeoutSeconds;
        long seeders = 0, leechers = 0;
        foreach (var (hash, swarm) in _swarms)
        {
            lock (swarm)
            {
                if (swarm.Removed || swarm.Blocked)
                {
                    continue;
                }

                var (s4, l4) = swarm.V4.RemoveOlderThan(cutoff);
                seeders += s4;
                leechers += l4;
                if (swarm.V6 is { } v6)
                {
                    var (s6, l6) = v6.List.RemoveOlderThan(cutoff);
                    seeders += s6;
                    leechers += l6;
                    if (v6.List.Count == 0)
                    {
                        swarm.V6 = null;
                    }
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

        Interlocked.Add(ref _seeders, -seeders);
        Interlocked.Add(ref _leechers, -leechers);
        return seeders + leechers;
    }

    private StoreAnnounceResult Stop(in AnnounceRequest request)
    {
        if (!_swarms.TryGetValue(request.InfoHash, out var swarm))
        {
            return default;
        }

        lock (swarm)
        {
            if (swarm.Blocked)
            {
                return new StoreAnnounceResult(0, 0, 0, 0, StoreAnnounceStatus.Revoked);
            }

            var removed = PriorState.New;
            if (request.Endpoint.IsIPv4)
            {
                removed = swarm.V4.Remove(V4Key.From(request.Endpoint));
            }
            else if (swarm.V6 is { } v6)
            {
                removed = v6.List.Remove(V6Key.From(request.Endpoint));
                if (v6.List.Count == 0)
                {
                    swarm.V6 = null;
                }
            }

            if (removed == PriorState.Seeder)
            {
                Interlocked.Decrement(ref _seeders);
            }
            else if (removed == PriorState.Leecher)
            {
                Interlocked.Decrement(ref _leechers);
            }

            return new StoreAnnounceResult(0, swarm.Complete, swarm.Incomplete, swarm.Downloaded);
        }
    }

    // Keeps the totals in step with one upsert: a new peer adds one of its kind, a changed one moves across.
    private void Count(PriorState prior, bool seeder)
    {
        switch (prior)
        {
            case PriorState.New:
                Interlocked.Increment(ref seeder ? ref _seeders : ref _leechers);
                break;
            case PriorState.Leecher when seeder:
                Interlocked.Decrement(ref _leechers);
                Interlocked.Increment(ref _seeders);
                break;
            case PriorState.Seeder when !seeder:
                Interlocked.Decrement(ref _seeders);
                Interlocked.Increment(ref _leechers);
                break;
        }
    }

    private int Now() => (int)_time.GetElapsedTime(_origin).TotalSeconds;
}
