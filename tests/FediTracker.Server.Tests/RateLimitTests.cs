using System.Buffers.Binary;
using System.Text;

namespace FediTracker.Server.Tests;

public sealed class RateLimitTests
{
    [Test]
    public async Task An_address_over_its_rate_gets_a_clear_failure_over_http_and_udp()
    {
        await using var tracker = await TestTracker.StartAsync("--Tracker:RateLimitPerSecond", "0.01", "--Tracker:RateLimitBurst", "3");
        using var http = new HttpClient();
        var hash = TestData.NewHash();
        var url = new Uri($"http://{tracker.HttpV4}/announce?info_hash={TestData.Escape(hash)}&peer_id={Encoding.ASCII.GetString(TestData.PeerId(1))}&port=6881&left=5");

        for (var i = 0; i < 3; i++)
        {
            (await http.GetStringAsync(url)).Should().NotContain("failure reason");
        }

        (await http.GetStringAsync(url)).Should().Contain("too many requests from your address");

        // UDP from the same address shares the bucket; the connect itself is not limited.
        using var udp = new UdpTrackerClient(tracker.UdpV4);
        var id = await udp.ConnectAsync();
        var reply = await udp.RoundTripAsync(UdpTrackerClient.Announce(id, 9, hash, TestData.PeerId(2), 0, 2, 10, 6882));
        BinaryPrimitives.ReadInt32BigEndian(reply).Should().Be(3, "an error packet");
        Encoding.UTF8.GetString(reply.AsSpan(8)).Should().Contain("too many requests");

        // Another address (IPv6 loopback) is not affected.
        using var v6 = new UdpTrackerClient(tracker.UdpV6);
        var id6 = await v6.ConnectAsync();
        var ok = await v6.RoundTripAsync(UdpTrackerClient.Announce(id6, 10, hash, TestData.PeerId(3), 0, 2, 10, 6883));
        BinaryPrimitives.ReadInt32BigEndian(ok).Should().Be(1);
    }
}
