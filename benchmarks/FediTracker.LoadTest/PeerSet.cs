namespace FediTracker.LoadTest;

/// <summary>
/// The simulated peers one worker announces for: each with a port of its own (distinct among all peers of the same
/// source address) and a peer id. A peer's address is the worker's source address, as the tracker sees it.
/// </summary>
internal sealed class PeerSet
{
    public const int FirstPort = 1025;

    private readonly int _firstGlobal;

    public PeerSet(ulong seed, int firstGlobal, int count, int firstPort, bool encoded)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (firstPort + count - 1 > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(count), "Not enough ports for the peers of one source address.");
        }

        _firstGlobal = firstGlobal;
        Count = count;
        FirstPeerPort = firstPort;
        PeerIds = new byte[count * 20];
        for (var i = 0; i < count; i++)
        {
            Workload.WritePeerId(seed, firstGlobal + i, PeerIds.AsSpan(i * 20, 20));
        }

        EncodedPeerIds = encoded ? Workload.PercentEncodeAll(PeerIds) : [];
    }

    public int Count { get; }

    public int FirstPeerPort { get; }

    public byte[] PeerIds { get; }

    public byte[] EncodedPeerIds { get; }

    public int GlobalIndex(int peer) => _firstGlobal + peer;

    public ushort Port(int peer) => (ushort)(FirstPeerPort + peer);

    public ReadOnlySpan<byte> PeerId(int peer) => PeerIds.AsSpan(peer * 20, 20);

    public ReadOnlySpan<byte> EncodedPeerId(int peer) => EncodedPeerIds.AsSpan(peer * 60, 60);

    /// <summary>
    /// The peers of worker <paramref name="worker"/> of <paramref name="workers"/>, which uses source address
    /// worker mod <paramref name="sources"/>. Workers that share a source address get disjoint port ranges.
    /// </summary>
    public static PeerSet ForWorker(ulong seed, int worker, int workers, int sources, int totalPeers, bool encoded)
    {
        var perWorker = (totalPeers + workers - 1) / workers;
        var rankOnSource = worker / sources;
        return new PeerSet(seed, worker * perWorker, perWorker, FirstPort + (rankOnSource * perWorker), encoded);
    }
}
