using FediTracker.Protocol;
using FediTracker.Protocol.Udp;

namespace FediTracker.Server.Udp;

/// <summary>The buffers one receive loop reuses for every datagram it handles.</summary>
internal sealed class UdpLoopState
{
    public UdpLoopState(int maxPeers, int maxScrapeHashes)
    {
        Peers = new PeerEntry[maxPeers];
        Hashes = new InfoHash[maxScrapeHashes];
        Entries = new ScrapeEntry[maxScrapeHashes];
        UdpEntries = new UdpScrapeEntry[maxScrapeHashes];
    }

    public PeerEntry[] Peers { get; }

    public InfoHash[] Hashes { get; }

    public ScrapeEntry[] Entries { get; }

    public UdpScrapeEntry[] UdpEntries { get; }
}
