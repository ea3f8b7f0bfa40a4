using FediTracker.Core.Swarms;
using FediTracker.Protocol;

namespace FediTracker.Core.Tests.Swarms;

/// <summary>What one announce gave back: the store's result and the peers it wrote (only those it reported).</summary>
public sealed record AnnounceReply(StoreAnnounceResult Result, PeerEntry[] Peers)
{
    public PeerEndpoint[] Endpoints => [.. Peers.Select(p => p.Endpoint)];
}
