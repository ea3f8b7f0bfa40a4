namespace FediTracker.Core.Swarms;

/// <summary>
/// One torrent's peers: the IPv4 list inline (so a swarm of IPv4 peers is this object and one array), the IPv6 list
/// in a second object made when the first IPv6 peer comes. The object itself is the swarm's lock; every field is read
/// and written under it. The lists are mutable structs held in fields, so they are used in place, never copied.
/// </summary>
internal sealed class Swarm
{
    public PeerList<V4Key> V4;

    public V6Peers? V6;

    /// <summary>Completed downloads counted since the swarm was created.</summary>
    public long Downloaded;

    /// <summary>Set, under the lock, when the swarm is dropped from the store; an announcer holding it must look again.</summary>
    public bool Removed;

    /// <summary>Set, under the lock, when the hash is revoked or suspended: the swarm stays as an empty tombstone that
    /// refuses announces until unblocked, and expiry leaves it alone.</summary>
    public bool Blocked;

    public int Complete => V4.Seeders + (V6 is null ? 0 : V6.List.Seeders);

    public int Incomplete => V4.Leechers + (V6 is null ? 0 : V6.List.Leechers);

    public int Count => Complete + Incomplete;

    /// <summary>Forgets every peer of both families.</summary>
    public void ClearPeers()
    {
        V4.Clear();
        V6 = null;
    }
}

/// <summary>The IPv6 peers of a swarm, apart so that a swarm without any pays one reference for them.</summary>
internal sealed class V6Peers
{
    public PeerList<V6Key> List;
}
