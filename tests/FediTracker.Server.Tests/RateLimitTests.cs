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

    [Test]
    public async Task The_public_torrent_endpoints_take_from_the_same_bucket_and_answer_429_when_it_is_empty()
    {
        await using var tracker = await TestTracker.StartAsync("--Tracker:RateLimitPerSecond", "0.01", "--Tracker:RateLimitBurst", "3");
        using var http = new HttpClient();
        var discovery = new Uri($"http://{tracker.HttpV4}/.well-known/feditracker");
        var hash = TestData.NewHash();
        var announce = new Uri($"http://{tracker.HttpV4}/announce?info_hash={TestData.Escape(hash)}&peer_id={Encoding.ASCII.GetString(TestData.PeerId(1))}&port=6881&left=5");

        (await http.GetAsync(discovery)).StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        (await http.GetAsync(new Uri($"http://{tracker.HttpV4}/torrents/{Convert.ToHexString(hash)}"))).StatusCode.Should().Be(System.Net.HttpStatusCode.NotFound);
        (await http.GetStringAsync(announce)).Should().NotContain("failure reason", "the third token of three");

        using var refused = await http.GetAsync(discovery);
        refused.StatusCode.Should().Be(System.Net.HttpStatusCode.TooManyRequests);
        refused.Headers.RetryAfter.Should().NotBeNull();
        refused.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await refused.Content.ReadAsStringAsync()).Should().Contain("too many requests from your address");
        (await http.GetStringAsync(announce)).Should().Contain("too many requests from your address", "announces share the bucket");

        // The IPv6 loopback is another address, with its own bucket.
        using var v6 = await http.GetAsync(new Uri($"http://{tracker.HttpV6}/.well-known/feditracker"));
        v6.StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
    }
}
