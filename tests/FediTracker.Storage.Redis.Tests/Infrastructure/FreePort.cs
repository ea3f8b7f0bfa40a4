using System.Net;
using System.Net.Sockets;

namespace FediTracker.Storage.Redis.Tests.Infrastructure;

/// <summary>Loopback TCP ports nobody listens on right now.</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
