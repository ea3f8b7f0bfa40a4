using System.Net;
using System.Net.Sockets;

namespace FediTracker.Server.Udp;

/// <summary>
/// Everything one datagram needs from its receive to its reply: the buffer (the reply is written over the request),
/// the sender's <see cref="SocketAddress"/> and the handler's scratch buffers. A receive loop reuses one for every
/// datagram the store answers synchronously; a datagram whose store call goes asynchronous keeps its context until
/// the reply is sent.
/// </summary>
internal sealed class UdpDatagramContext
{
    /// <summary>Large enough for any request, and for the largest reply under the MTU.</summary>
    public const int BufferSize = 2048;

    public UdpDatagramContext(AddressFamily family, int maxPeers, int maxScrapeHashes)
    {
        Buffer = GC.AllocateUninitializedArray<byte>(BufferSize, pinned: true);
        Address = new SocketAddress(family);
        State = new UdpLoopState(maxPeers, maxScrapeHashes);
    }

    public byte[] Buffer { get; }

    public SocketAddress Address { get; }

    public UdpLoopState State { get; }
}
