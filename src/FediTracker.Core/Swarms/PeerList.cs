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
/// The peers of one address family in one swarm, built to cost little per peer: one array of compact records with
/// the seeders at [0, <see cref="Seeders"/>) and the leechers after them up to <see cref="Count"/>, so counts are O(1)
/// and random picks are index arithmetic. A small list finds a peer by scanning its keys; above
/// <see cref="IndexThreshold"/> peers it also keeps an open-addressing index (linear probing, no tombstones) from the
/// key's hash to position + 1. A mutable struct held in a field of its swarm (never copied); not thread-safe: the
/// owning swarm's lock guards it. The default value is an empty list.
/// </summary>
internal struct PeerList<TKey>
    where TKey : struct, IPeerKey<TKey>
{
    /// <summary>Above this many peers the list keeps an index; it drops it again below half of it.</summary>
    public const int IndexThreshold = 32;

    // Capacity grows by this step up to SmallCapacity (little waste in the many small swarms), then by half.
    private const int SmallStep = 2;
    private const int SmallCapacity = 16;

    private PeerRecord<TKey>[]? _peers;
    private int[]? _index;
    private int _count;
    private int _seeders;

    public readonly int Count => _count;

    public readonly int Seeders => _seeders;

    public readonly int Leechers => _count - _seeders;

    /// <summary>Slots allocated for peers (for tests and measurements).</summary>
    internal readonly int Capacity => _peers?.Length ?? 0;

    /// <summary>Slots of the index, 0 when the list has none (for tests and measurements).</summary>
    internal readonly int IndexCapacity => _index?.Length ?? 0;

    /// <summary>The peers in order, seeders first (for tests).</summary>
    internal readonly ReadOnlySpan<PeerRecord<TKey>> Peers => _peers.AsSpan(0, _count);

    /// <summary>Where the peer with this key is, or -1 (for tests).</summary>
    internal readonly int PositionOf(TKey key) => Find(key);

    /// <summary>
    /// Files the peer (new, refreshed or moved across classes) and returns what it was before;
    /// <paramref name="position"/> is where it is now, for <see cref="Select"/>.
    /// </summary>
    public PriorState Upsert(TKey key, PeerId peerId, bool seeder, int now, out int position)
    {
        var found = Find(key);
        if (found < 0)
        {
            position = Insert(new PeerRecord<TKey>(key, now, peerId), seeder);
            return PriorState.New;
        }

        ref var peer = ref _peers![found];
        peer.PeerId = peerId;
        peer.LastSeen = now;
        var wasSeeder = found < _seeders;
        position = wasSeeder == seeder ? found : seeder ? Promote(found) : Demote(found);
        return wasSeeder ? PriorState.Seeder : PriorState.Leecher;
    }

    /// <summary>Removes the peer; returns what it was (<see cref="PriorState.New"/> when it was not there).</summary>
    public PriorState Remove(TKey key)
    {
        var found = Find(key);
        if (found < 0)
        {
            return PriorState.New;
        }

        var wasSeeder = found < _seeders;
        RemoveAt(found);
        Compact();
        return wasSeeder ? PriorState.Seeder : PriorState.Leecher;
    }

    /// <summary>
    /// Writes up to <paramref name="destination"/>.Length peers other than the one at <paramref name="self"/> (-1 for
    /// none), at random without repeats: leechers only for a seeder, else seeders and leechers. O(count written).
    /// </summary>
    public readonly int Select(int self, bool forSeeder, Span<PeerEntry> destination, ulong random)
    {
        if (destination.IsEmpty || _peers is null)
        {
            return 0;
        }

        // The candidates are the contiguous range [offset, _count): everyone for a leecher, the leechers for a seeder.
        var offset = forSeeder ? _seeders : 0;
        var n = _count - offset;
        var skip = self >= offset ? self - offset : -1;
        var available = skip >= 0 ? n - 1 : n;
        if (available <= 0)
        {
            return 0;
        }

        var candidates = _peers.AsSpan(offset, n);
        var written = 0;
        if (available <= destination.Length)
        {
            for (var p = 0; p < candidates.Length; p++)
            {
                if (p != skip)
                {
                    destination[written++] = candidates[p].ToEntry();
                }
            }

            return written;
        }

        // Fewer wanted than there are: visit start, start+stride, … with the stride coprime to n, which touches
        // distinct positions in a random order and costs nothing per peer not returned.
        var start = (long)(random % (ulong)n);
        var stride = (long)((random >> 32) % (ulong)(n - 1)) + 1;
        while (Gcd(stride, n) != 1)
        {
            stride = stride == n - 1 ? 1 : stride + 1;
        }

        var position = start;
        while (written < destination.Length)
        {
            if (position != skip)
            {
                destination[written++] = candidates[(int)position].ToEntry();
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
    public (int Seeders, int Leechers) RemoveOlderThan(int cutoff)
    {
        if (_peers is null)
        {
            return default;
        }

        // Leechers first, then seeders, each backwards: whatever a removal moves into position i (the last leecher,
        // or the last seeder and the last leecher) has been looked at already and was kept. The array is read anew
        // each time, though nothing here reallocates it; Compact runs once at the end.
        int leechers = 0, seeders = 0;
        for (var i = _count - 1; i >= _seeders; i--)
        {
            if (_peers[i].LastSeen < cutoff)
            {
                RemoveAt(i);
                leechers++;
            }
        }

        for (var i = _seeders - 1; i >= 0; i--)
        {
            if (_peers[i].LastSeen < cutoff)
            {
                RemoveAt(i);
                seeders++;
            }
        }

        Compact();
        return (seeders, leechers);
    }

    /// <summary>Forgets every peer and releases the arrays.</summary>
    public void Clear() => this = default;

    /// <summary>Position of the peer with this key, or -1.</summary>
    private readonly int Find(TKey key)
    {
        var peers = _peers;
        if (peers is null)
        {
            return -1;
        }

        var index = _index;
        if (index is null)
        {
            var span = peers.AsSpan(0, _count);
            for (var i = 0; i < span.Length; i++)
            {
                if (span[i].Key.Equals(key))
                {
                    return i;
                }
            }

            return -1;
        }

        var mask = index.Length - 1;
        for (var slot = Home(key, mask); ; slot = (slot + 1) & mask)
        {
            var entry = index[slot];
            if (entry == 0)
            {
                return -1;
            }

            if (peers[entry - 1].Key.Equals(key))
            {
                return entry - 1;
            }
        }
    }

    private int Insert(PeerRecord<TKey> peer, bool seeder)
    {
        if (_peers is null || _count == _peers.Length)
        {
            Array.Resize(ref _peers, Grow(_peers?.Length ?? 0));
        }

        int position;
        if (seeder)
        {
            // The first leecher (if any) moves to the end, and the new seeder takes its place.
            position = _seeders;
            if (position < _count)
            {
                Move(position, _count);
            }

            _seeders++;
        }
        else
        {
            position = _count;
        }

        _peers[position] = peer;
        _count++;
        if (_index is not null)
        {
            AddToIndex(peer.Key, position);
            if (_count * 10 > _index.Length * 7)
            {
                RebuildIndex();
            }
        }
        else if (_count > IndexThreshold)
        {
            RebuildIndex();
        }

        return position;
    }

    // A leecher at 'position' becomes a seeder: it swaps with the first leecher, and the border moves up by one.
    private int Promote(int position)
    {
        var border = _seeders;
        Swap(position, border);
        _seeders++;
        return border;
    }

    // A seeder at 'position' becomes a leecher: it swaps with the last seeder, and the border moves down by one.
    private int Demote(int position)
    {
        var border = _seeders - 1;
        Swap(position, border);
        _seeders--;
        return border;
    }

    // Removes the peer at 'position' keeping both partitions dense: a leecher's place is taken by the last leecher; a
    // seeder's by the last seeder, whose place the last leecher takes. Does not shrink (see Compact).
    private void RemoveAt(int position)
    {
        var peers = _peers!;
        if (_index is not null)
        {
            RemoveFromIndex(SlotOf(peers[position].Key, position));
        }

        var last = _count - 1;
        if (position < _seeders)
        {
            var lastSeeder = _seeders - 1;
            if (position != lastSeeder)
            {
                Move(lastSeeder, position);
            }

            if (lastSeeder != last)
            {
                Move(last, lastSeeder);
            }

            _seeders--;
        }
        else if (position != last)
        {
            Move(last, position);
        }

        peers[last] = default;
        _count--;
    }

    // Copies the peer at 'from' to 'to' (whose old content is gone) and repoints its index entry.
    private readonly void Move(int from, int to)
    {
        var peers = _peers!;
        if (_index is not null)
        {
            _index[SlotOf(peers[from].Key, from)] = to + 1;
        }

        peers[to] = peers[from];
    }

    private readonly void Swap(int a, int b)
    {
        if (a == b)
        {
            return;
        }

        var peers = _peers!;
        if (_index is not null)
        {
            var slotA = SlotOf(peers[a].Key, a);
            var slotB = SlotOf(peers[b].Key, b);
            _index[slotA] = b + 1;
            _index[slotB] = a + 1;
        }

        (peers[a], peers[b]) = (peers[b], peers[a]);
    }

    // After removals: drops the index once the list is small again, shrinks an index or array that is mostly empty,
    // and releases everything when no peer is left.
    private void Compact()
    {
        if (_count == 0)
        {
            this = default;
            return;
        }

        if (_index is not null)
        {
            if (_count < IndexThreshold / 2)
            {
                _index = null;
            }
            else if (_count * 8 < _index.Length)
            {
                RebuildIndex();
            }
        }

        var capacity = _peers!.Length;
        if (capacity > SmallStep * 2 && _count <= capacity / 3)
        {
            var target = _count <= SmallCapacity ? _count + (_count & 1) : _count + (_count / 2);
            Array.Resize(ref _peers, Math.Max(target, SmallStep));
        }
    }

    private readonly void AddToIndex(TKey key, int position)
    {
        var index = _index!;
        var mask = index.Length - 1;
        var slot = Home(key, mask);
        while (index[slot] != 0)
        {
            slot = (slot + 1) & mask;
        }

        index[slot] = position + 1;
    }

    // The slot that holds 'position' (the peer there has 'key'); it is there by construction.
    private readonly int SlotOf(TKey key, int position)
    {
        var index = _index!;
        var mask = index.Length - 1;
        var slot = Home(key, mask);
        while (index[slot] != position + 1)
        {
            slot = (slot + 1) & mask;
        }

        return slot;
    }

    // Empties 'slot' and shifts later entries of its probe run back into the hole, so no tombstone is needed: an entry
    // moves into the hole when the hole lies between its home slot and where it sits now.
    private readonly void RemoveFromIndex(int slot)
    {
        var index = _index!;
        var peers = _peers!;
        var mask = index.Length - 1;
        var hole = slot;
        var next = slot;
        while (true)
        {
            next = (next + 1) & mask;
            var entry = index[next];
            if (entry == 0)
            {
                break;
            }

            var home = Home(peers[entry - 1].Key, mask);
            if (((next - home) & mask) >= ((next - hole) & mask))
            {
                index[hole] = entry;
                hole = next;
            }
        }

        index[hole] = 0;
    }

    // A fresh index between a quarter and half full.
    private void RebuildIndex()
    {
        var length = (int)Math.Max(64, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)_count * 2));
        _index = new int[length];
        for (var i = 0; i < _count; i++)
        {
            AddToIndex(_peers![i].Key, i);
        }
    }

    // The key's hash is keyed with a per-process secret (see PeerKeySeed), so ports chosen by a client do not
    // aim at one run of slots.
    private static int Home(TKey key, int mask) => key.GetHashCode() & mask;

    private static int Grow(int capacity) => capacity < SmallCapacity ? capacity + SmallStep : capacity + (capacity / 2);

    private static long Gcd(long a, long b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}

/// <summary>
/// One peer as a list keeps it: key, last-seen second and peer id (for non-compact replies). 32 bytes for IPv4
/// (8-byte key, 4, 20), 48 for IPv6.
/// </summary>
internal struct PeerRecord<TKey>
    where TKey : struct, IPeerKey<TKey>
{
    public TKey Key;
    public int LastSeen;
    public PeerId PeerId;

    public PeerRecord(TKey key, int lastSeen, PeerId peerId)
    {
        Key = key;
        LastSeen = lastSeen;
        PeerId = peerId;
    }

    public readonly PeerEntry ToEntry() => new(Key.ToEndpoint(), PeerId);
}
