using System.Net;
using System.Net.Sockets;

namespace FediTracker.LoadTest;

/// <summary>Finds a port on 127.0.0.1 that is free for TCP and UDP alike (a tracker listens on both).</summary>
internal static class FreePort
{
    public static int Find()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)tcp.LocalEndPoint!).Port;
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
                // Taken for UDP: try another.
            }
        }

        throw new InvalidOperationException("No loopback port is free for both TCP and UDP.");
    }
}
