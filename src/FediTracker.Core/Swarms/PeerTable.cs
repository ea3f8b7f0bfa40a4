using FediTracker.Protocol;

namespace FediTracker.Core.Swarms;

/// <summary>Whether a peer was already known, and as what, before an upsert.</summary>
internal enum PriorState
{
    New,
    Leecher,
    Seeder,
}

/// <summary>
/// The peers of one address family in one swarm: seeders and leechers each in a dense array (so counts are O(1)
/// and random picks are index arithmetic), plus an index from (address, port) to position. Not thread-safe: the
/// owning swarm's lock guards it.
/// </summary>
internal sealed class PeerTable<TKey>
    where TKey : struct, IPeerKey<TKey>
{
    // Index values: a seeder at position p is stored as p, a leecher at position p as ~p (negative).
    private readonly Dictionary<TKey, int> _index = [];
    private Peer[] _seeders = [];
    private Peer[] _leechers = [];

    public int Seeders { get; private set; }

    public int Leechers { get; private set; }

    public int Count => Seeders + Leechers;

    public PriorState Upsert(TKey key, PeerId peerId, bool seeder, int now)
    {
        ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_index, key, out var exists);
        if (!exists)
        {
            slot = Append(new Peer(key, peerId, now), seeder);
            return PriorState.New;
        }

        var wasSeeder = slot >= 0;
        var position = wasSeeder ? slot : ~slot;
        if (wasSeeder == seeder)
        {
            (seeder ? _seeders : _leechers)[position] = new Peer(key, peerId, now);
            return seeder ? PriorState.Seeder : PriorState.Leecher;
        }

        // Changed class: move it across. 'slot' is a ref into the dictionary, and RemoveAt only writes other keys.
        RemoveAt(wasSeeder, position);
        slot = Append(new Peer(key, peerId, now), seeder);
        return wasSeeder ? PriorState.Seeder : PriorState.Leecher;
    }

    /// <summary>Removes the peer; returns what it was (<see cref="PriorState.New"/> when it was not there).</summary>
    public PriorState Remove(TKey key)
    {
        if (!_index.Remove(key, out var slot))
        {
            return PriorState.New;
        }

        RemoveAt(slot >= 0, slot >= 0 ? slot : ~slot);
        return slot >= 0 ? PriorState.Seeder : PriorState.Leecher;
    }

    /// <summary>
    /// Writes up to <paramref name="destination"/>.Length peers other than <paramref name="self"/>, at random
    /// without repeats: leechers only for a seeder, else seeders and leechers. O(count written).
    /// </summary>
    public int Select(TKey self, bool forSeeder, Span<PeerEntry> destination, ulong random)
    {
        if (destination.IsEmpty)
        {
            return 0;
        }

        // A virtual array: [seeders..., leechers...] for a leecher, [leechers...] for a seeder.
        var offset = forSeeder ? 0 : Seeders;
        var n = forSeeder ? Leechers : Seeders + Leechers;
        var selfPosition = -1;
        if (_index.TryGetValue(self, out var slot))
        {
            if (slot < 0)
            {
                selfPosition = offset + ~slot;
            }
            else if (!forSeeder)
            {
                selfPosition = slot;
            }
        }

        var available = selfPosition >= 0 ? n - 1 : n;
        if (available <= 0)
        {
            return 0;
        }

        var written = 0;
        if (available <= destination.Length)
        {
            for (var p = 0; p < n; p++)
            {
                if (p != selfPosition)
                {
                    destination[written++] = At(p, offset);
                }
            }

            return written;
        }

        // Fewer wanted than there are: visit positions start, start+stride, … with the stride coprime to n, which
        // touches distinct positions in a random order and costs nothing per peer not returned.
        var start = (long)(random % (ulong)n);
        var stride = (long)((random >> 32) % (ulong)(n - 1)) + 1;
        while (Gcd(stride, n) != 1)
        {
            stride = stride == n - 1 ? 1 : stride + 1;
        }

        var position = start;
        while (written < destination.Length)
        {
            if (position != selfPosition)
            {
                destination[written++] = At((int)position, offset);
            }

            position += stride;
            if (position >= n)
            {
                position -= n;
            }
        }

        return written;
    }

    /// <summary>Drops every peer last seen before <paramref name="cutoff"/>; returns how many of each kind.</summary>
    public (int Seeders, int Leechers) RemoveOlderThan(int cutoff) => (Sweep(true, cutoff), Sweep(false, cutoff));

    private int Sweep(bool seeders, int cutoff)
    {
        // Backwards, so the peer that a swap-remove moves into position i has been looked at already. The array is
        // read anew each time because a removal may shrink it.
        var removed = 0;
        for (var i = (seeders ? Seeders : Leechers) - 1; i >= 0; i--)
        {
            ref readonly var peer = ref (seeders ? _seeders : _leechers)[i];
            if (peer.LastSeen < cutoff)
            {
                _index.Remove(peer.Key);
                RemoveAt(seeders, i);
                removed++;
            }
        }

        return removed;
    }

    private PeerEntry At(int virtualPosition, int leecherOffset)
    {
        ref readonly var peer = ref virtualPosition < leecherOffset
            ? ref _seeders[virtualPosition]
            : ref _leechers[virtualPosition - leecherOffset];
        return new PeerEntry(peer.Key.ToEndpoint(), peer.PeerId);
    }

    private int Append(Peer peer, bool seeder)
    {
        if (seeder)
        {
            if (Seeders == _seeders.Length)
            {
                Array.Resize(ref _seeders, Grow(_seeders.Length));
            }

            _seeders[Seeders] = peer;
            return Seeders++;
        }

        if (Leechers == _leechers.Length)
        {
            Array.Resize(ref _leechers, Grow(_leechers.Length));
        }

        _leechers[Leechers] = peer;
        return ~Leechers++;
    }

    // Swap-remove: the last peer of the array takes the freed position, and its index entry follows it.
    private void RemoveAt(bool seeder, int position)
    {
        var array = seeder ? _seeders : _leechers;
        var last = (seeder ? Seeders : Leechers) - 1;
        if (position != last)
        {
            array[position] = array[last];
            _index[array[position].Key] = seeder ? position : ~position;
        }

        array[last] = default;
        if (seeder)
        {
            Seeders--;
        }
        else
        {
            Leechers--;
        }

        MaybeShrink(seeder);
    }

    private void MaybeShrink(bool seeder)
    {
        ref var array = ref seeder ? ref _seeders : ref _leechers;
        var count = seeder ? Seeders : Leechers;
        if (array.Length > 64 && count < array.Length / 4)
        {
            Array.Resize(ref array, array.Length / 2);
        }
    }

    private static int Grow(int length) => length == 0 ? 2 : length < 1024 ? length * 2 : length + (length / 2);

    private static long Gcd(long a, long b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }

    private readonly record struct Peer(TKey Key, PeerId PeerId, int LastSeen);
}
