namespace FediTracker.Core.Swarms;

/// <summary>One torrent's peers, both families. The object itself is the swarm's lock.</summary>
internal sealed class Swarm
{
    public PeerTable<V4Key>? V4 { get; set; }

    public PeerTable<V6Key>? V6 { get; set; }

    /// <summary>Completed downloads counted since the swarm was created.</summary>
    public long Downloaded { get; set; }

    /// <summary>Set, under the lock, when the swarm is dropped from the store; an announcer holding it must look again.</summary>
    public bool Removed { get; set; }

    /// <summary>Set, under the lock, when the hash is revoked or suspended: the swarm stays as an empty tombstone that
    /// refuses announces until unblocked, and expiry leaves it alone.</summary>
    public bool Blocked { get; set; }

    public int Complete => (V4?.Seeders ?? 0) + (V6?.Seeders ?? 0);

    public int Incomplete => (V4?.Leechers ?? 0) + (V6?.Leechers ?? 0);

    public int Count => Complete + Incomplete;
}
