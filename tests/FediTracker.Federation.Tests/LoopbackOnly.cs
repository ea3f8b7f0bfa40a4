using System.Net;
using System.Net.Sockets;

namespace FediTracker.Federation.Tests;

/// <summary>
/// The connect step the fetcher tests use: it dials loopback only and fails the test for any other address without
/// sending a packet, so a regression in the address checks cannot make the tests reach a private or public network.
/// </summary>
internal static class LoopbackOnly
{
    public static async ValueTask<Stream> ConnectAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        if (!IPAddress.IsLoopback(endPoint.Address))
        {
            Assert.Fail($"The fetcher tried to connect to {endPoint}; tests only ever connect to loopback.");
        }

        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
