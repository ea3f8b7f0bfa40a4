namespace FediTracker.Protocol.Http;

/// <summary>A parsed HTTP announce query (BEP 3, BEP 23, BEP 21). <see cref="NumWant"/> is -1 when not given.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1051", Justification = "A plain record of parsed fields, filled in place by the parser on the hot path.")]
public struct HttpAnnounceQuery
{
    public InfoHash InfoHash;
    public PeerId PeerId;
    public ushort Port;
    public long Uploaded;
    public long Downloaded;
    public long Left;
    public AnnounceEvent Event;
    public int NumWant;

    /// <summary>False only for <c>compact=0</c>: the client wants the dictionary model with peer ids.</summary>
    public bool Compact;

    /// <summary><c>no_peer_id=1</c>: leave peer ids out of a dictionary-model reply.</summary>
    public bool NoPeerId;

    /// <summary>The client's <c>key</c>, folded to 32 bits (0 when absent).</summary>
    public uint Key;
}
