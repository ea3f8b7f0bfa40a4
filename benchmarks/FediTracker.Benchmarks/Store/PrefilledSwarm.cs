using FediTracker.Core;
using FediTracker.Core.Swarms;
using FediTracker.Protocol;

namespace FediTracker.Benchmarks.Store;

/// <summary>
/// One swarm filled straight into a <see cref="MemorySwarmStore"/>: peer <c>i</c> is the IPv4 endpoint
/// <see cref="BenchmarkData.V4Peer"/>(i) with peer id <see cref="BenchmarkData.PeerId"/>(i); every fourth peer
/// (i % 4 == 0) is a seeder, the others are leechers. Maps "the k-th seeder" and "the k-th leecher" back to i.
/// </summary>
internal sealed class PrefilledSwarm
{
    /// <summary>What a leecher reports as left: a 700 MB file not yet started.</summary>
    public const long LeecherLeft = 734_003_200;

    public PrefilledSwarm(MemorySwarmStore store, InfoHash infoHash, int peerCount)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThan(peerCount, 4);
        InfoHash = infoHash;
        PeerCount = peerCount;
        SeederCount = (peerCount + 3) / 4;
        LeecherCount = peerCount - SeederCount;

        // NumWant 0 and no room for peers: each call only files the peer, so a million take well under a second.
        for (var i = 0; i < peerCount; i++)
        {
            store.Announce(Request(i, AnnounceEvent.Started, numWant: 0), []);
        }

        if (store.PeerCount < peerCount)
        {
            throw new InvalidOperationException($"The store holds {store.PeerCount} peers after filling {peerCount}.");
        }
    }

    public InfoHash InfoHash { get; }

    public int PeerCount { get; }

    public int SeederCount { get; }

    public int LeecherCount { get; }

    public static bool IsSeeder(int peer) => peer % 4 == 0;

    /// <summary>The peer number of the k-th seeder (0 ≤ k &lt; <see cref="SeederCount"/>).</summary>
    public static int Seeder(int k) => 4 * k;

    /// <summary>The peer number of the k-th leecher (0 ≤ k &lt; <see cref="LeecherCount"/>): 1, 2, 3, 5, 6, 7, 9, …</summary>
    public static int Leecher(int k) => (4 * (k / 3)) + (k % 3) + 1;

    /// <summary>The announce of peer <paramref name="peer"/>, as the store receives it.</summary>
    public AnnounceRequest Request(int peer, AnnounceEvent announceEvent, int numWant) => new(
        InfoHash,
        BenchmarkData.PeerId(peer),
        BenchmarkData.V4Peer(peer),
        Uploaded: 0,
        Downloaded: 0,
        Left: IsSeeder(peer) ? 0 : LeecherLeft,
        announceEvent,
        numWant);
}
