using System.Net;
using System.Net.Sockets;

namespace FediTracker.Server.Tests;

public sealed class ListenTests
{
    [Test]
    public async Task IPv4_and_IPv6_wildcards_share_one_port_like_the_default_configuration()
    {
        // The default listens on 0.0.0.0:6969 and [::]:6969 for both TCP and UDP; this does the same on a free port.
        var port = FreePortForBothFamilies();
        await using var tracker = await TestTracker.StartAsync(
            "--http", $"0.0.0.0:{port},[::]:{port}",
            "--udp", $"0.0.0.0:{port},[::]:{port}");

        tracker.Http.Select(e => e.Port).Should().AllBeEquivalentTo(port);
        tracker.Udp.Select(e => e.Port).Should().AllBeEquivalentTo(port);
        tracker.Http.Select(e => e.AddressFamily).Should().BeEquivalentTo([AddressFamily.InterNetwork, AddressFamily.InterNetworkV6]);

        using var v4 = new UdpTrackerClient(new IPEndPoint(IPAddress.Loopback, port));
        (await v4.ConnectAsync()).Should().NotBe(0);
        using var v6 = new UdpTrackerClient(new IPEndPoint(IPAddress.IPv6Loopback, port));
        (await v6.ConnectAsync()).Should().NotBe(0);
    }

    private static int FreePortForBothFamilies()
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            using var probe = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
            probe.Bind(new IPEndPoint(IPAddress.IPv6Any, 0));
            var port = ((IPEndPoint)probe.LocalEndPoint!).Port;
            try
            {
                using var udp = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp) { DualMode = true };
                udp.Bind(new IPEndPoint(IPAddress.IPv6Any, port));
                return port;
            }
            catch (SocketException)
            {
            }
        }

        throw new InvalidOperationException("No port was free for TCP and UDP on both families.");
    }
}
