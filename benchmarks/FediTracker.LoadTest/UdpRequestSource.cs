namespace FediTracker.LoadTest;

/// <summary>
/// What a UDP worker sends once it holds a connection id: the workload (endless, random) or a fill (a fixed list of
/// announces, each retried until it is answered). One instance per worker; called under the worker's lock.
/// </summary>
internal abstract class UdpRequestSource
{
    /// <summary>
    /// Writes a request from byte 8 on (action and the body; the worker writes the connection id at 0 and the
    /// transaction id at 12). False when there is nothing more to send.
    /// </summary>
    public abstract bool TryWrite(Span<byte> packet, out int length, out RequestKind kind, out long item);

    /// <summary>The tracker answered the request that carried <paramref name="item"/> with success.</summary>
    public virtual void Completed(long item)
    {
    }

    /// <summary>The request timed out or got an error; a fill sends it again.</summary>
    public virtual void Failed(long item)
    {
    }
}
