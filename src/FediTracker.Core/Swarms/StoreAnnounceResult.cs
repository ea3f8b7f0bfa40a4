namespace FediTracker.Core.Swarms;

/// <summary>
/// What a store answers to one announce: how many peers it wrote, and the swarm's counts afterwards. A store that
/// finds the torrent revoked writes nothing and answers <see cref="StoreAnnounceStatus.Revoked"/>.
/// </summary>
public readonly record struct StoreAnnounceResult(
    int PeerCount,
    int Complete,
    int Incomplete,
    long Downloaded,
    StoreAnnounceStatus Status = StoreAnnounceStatus.Ok);
