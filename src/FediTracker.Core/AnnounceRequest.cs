using FediTracker.Protocol;

namespace FediTracker.Core;

/// <summary>One announce, as either wire protocol delivers it, with the address the tracker saw it come from.</summary>
public readonly record struct AnnounceRequest(
    InfoHash InfoHash,
    PeerId PeerId,
    PeerEndpoint Endpoint,
    long Uploaded,
    long Downloaded,
    long Left,
    AnnounceEvent Event,
    int NumWant)
{
    /// <summary>A seeder has nothing left to download; a BEP 21 paused (upload-only) peer is filed with them.</summary>
    public bool IsSeeder => Left == 0 || Event == AnnounceEvent.Paused;
}
