using FediTracker.Protocol;

namespace FediTracker.Core.Swarms;

/// <summary>
/// Where swarms live: in process (<see cref="MemorySwarmStore"/>) or shared by many nodes. Every method is safe to
/// call concurrently. An announce costs O(numwant), whatever the swarm's size.
/// </summary>
public interface ISwarmStore
{
    /// <summary>
    /// Files the peer (or removes it on <see cref="AnnounceEvent.Stopped"/>), then writes up to
    /// <c>min(request.NumWant, peers.Length)</c> other peers of the announcing peer's address family into
    /// <paramref name="peers"/>, chosen at random: a seeder gets leechers only, and a peer never gets itself.
    /// </summary>
    /// <exception cref="SwarmStoreUnavailableException">The store cannot be reached; the client should retry later.</exception>
    ValueTask<StoreAnnounceResult> AnnounceAsync(AnnounceRequest request, Memory<PeerEntry> peers, CancellationToken cancellationToken);

    /// <summary>Writes the counts of each hash into <paramref name="results"/> (same index; zeros for an unknown hash).</summary>
    /// <exception cref="SwarmStoreUnavailableException">The store cannot be reached.</exception>
    ValueTask ScrapeAsync(ReadOnlyMemory<InfoHash> infoHashes, Memory<ScrapeEntry> results, CancellationToken cancellationToken);

    /// <summary>Forgets a swarm and every peer address in it. Returns how many peers were dropped.</summary>
    ValueTask<int> PurgeAsync(InfoHash infoHash, CancellationToken cancellationToken);

    /// <summary>
    /// Refuses the hash from now on and forgets its swarm, atomically with respect to announces: an announce that
    /// reaches the store after this returns gets <see cref="StoreAnnounceStatus.Revoked"/> and no peer is kept.
    /// Returns how many peers were dropped. Idempotent.
    /// </summary>
    /// <exception cref="SwarmStoreUnavailableException">The store cannot be reached.</exception>
    ValueTask<int> BlockAsync(InfoHash infoHash, CancellationToken cancellationToken);

    /// <summary>Serves the hash again after <see cref="BlockAsync"/> (a restore). Idempotent.</summary>
    /// <exception cref="SwarmStoreUnavailableException">The store cannot be reached.</exception>
    ValueTask UnblockAsync(InfoHash infoHash, CancellationToken cancellationToken);
}
