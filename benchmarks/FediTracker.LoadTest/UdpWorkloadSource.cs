namespace FediTracker.LoadTest;

/// <summary>The load workload over UDP: announces and the odd scrape, for this worker's peers.</summary>
internal sealed class UdpWorkloadSource : UdpRequestSource
{
    private const long LeecherLeft = 1 << 20;

    private readonly Workload _workload;
    private readonly PeerSet _peers;
    private readonly int[] _scrape = new int[74];
    private FastRandom _random;

    public UdpWorkloadSource(Workload workload, PeerSet peers, ulong seed)
    {
        _workload = workload;
        _peers = peers;
        _random = new FastRandom(seed);
    }

    public override bool TryWrite(Span<byte> packet, out int length, out RequestKind kind, out long item)
    {
        var choice = _workload.Choose(ref _random, _peers, _scrape);
        item = 0;
        kind = choice.Kind;
        if (choice.Kind == RequestKind.Scrape)
        {
            UdpPackets.WriteScrapeAction(packet);
            for (var i = 0; i < choice.ScrapeCount; i++)
            {
                _workload.Hash(_scrape[i]).CopyTo(packet[(16 + (i * 20))..]);
            }

            length = 16 + (choice.ScrapeCount * 20);
            return true;
        }

        length = UdpPackets.WriteAnnounce(
            packet,
            _workload.Hash(choice.Torrent),
            _peers.PeerId(choice.Peer),
            choice.Seeder ? 0 : LeecherLeft,
            choice.Event,
            _peers.GlobalIndex(choice.Peer),
            _workload.Options.NumWant,
            _peers.Port(choice.Peer));
        return true;
    }
}
