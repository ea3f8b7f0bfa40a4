namespace FediTracker.Protocol;

/// <summary>A peer handed out in an announce reply: where it is, and its peer id for non-compact replies.</summary>
public readonly record struct PeerEntry(PeerEndpoint Endpoint, PeerId PeerId);
