using System.Buffers.Binary;
using System.Net;

namespace FediTracker.Server.Tests;

[TestFixture]
public sealed class UdpTrackerTests
{
    private TestTracker _tracker = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _tracker = await TestTracker.StartAsync("--Listen:UdpReceiveLoops", "1");

    [OneTimeTearDown]
    public async Task StopAsync() => await _tracker.DisposeAsync();

    [Test]
    public async Task Connect_returns_a_connection_id_for_the_transaction()
    {
        using var client = new UdpTrackerClient(_tracker.UdpV4);
        var first = await client.ConnectAsync();
        var second = await client.ConnectAsync();

        first.Should().NotBe(0).And.NotBe(UdpTrackerClient.ProtocolId);
        second.Should().Be(first, "the id is a MAC of the client address and the time slot, not a counter");

        using var otherPort = new UdpTrackerClient(_tracker.UdpV4);
        (await otherPort.ConnectAsync()).Should().Be(first, "the id depends on the address, not the source port");

        using var otherFamily = new UdpTrackerClient(_tracker.UdpV6);
        (await otherFamily.ConnectAsync()).Should().NotBe(first, "::1 is another address than 127.0.0.1");
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Announce_introduces_peers_of_the_same_family(bool ipv6)
    {
        var endpoint = ipv6 ? _tracker.UdpV6 : _tracker.UdpV4;
        var hash = TestData.NewHash();
        using var seeder = new UdpTrackerClient(endpoint);
        using var leecher = new UdpTrackerClient(endpoint);

        var seederId = await seeder.ConnectAsync();
        var reply = await seeder.RoundTripAsync(UdpTrackerClient.Announce(seederId, 7, hash, TestData.PeerId(1), left: 0, @event: 2, numWant: 50, port: 6881));
        ReadInt(reply, 0).Should().Be(1);
        ReadInt(reply, 4).Should().Be(7);
        reply.Should().HaveCount(20, "the first peer has nobody to meet");

        var leecherId = await leecher.ConnectAsync();
        reply = await leecher.RoundTripAsync(UdpTrackerClient.Announce(leecherId, 8, hash, TestData.PeerId(2), left: 1000, @event: 2, numWant: 50, port: 6882));
        ReadInt(reply, 0).Should().Be(1);
        ReadInt(reply, 4).Should().Be(8);
        ReadInt(reply, 8).Should().BeInRange(900, 990, "the default interval is 900 s plus up to 10% jitter");
        ReadInt(reply, 12).Should().Be(1, "leechers");
        ReadInt(reply, 16).Should().Be(1, "seeders");
        var entry = ipv6 ? 18 : 6;
        reply.Should().HaveCount(20 + entry);
        var address = new IPAddress(reply.AsSpan(20, entry - 2));
        address.Should().Be(ipv6 ? IPAddress.IPv6Loopback : IPAddress.Loopback);
        BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(20 + entry - 2)).Should().Be(6881);
    }

    [Test]
    public async Task Announce_with_a_forged_connection_id_gets_an_error_no_larger_than_the_request()
    {
        using var client = new UdpTrackerClient(_tracker.UdpV4);
        var request = UdpTrackerClient.Announce(0x1234_5678_9ABC_DEF0, 99, TestData.NewHash(), TestData.PeerId(3), 0, 0, -1, 6881);
        var reply = await client.RoundTripAsync(request);

        ReadInt(reply, 0).Should().Be(3, "an error packet");
        ReadInt(reply, 4).Should().Be(99);
        reply.Length.Should().BeLessThanOrEqualTo(request.Length);
        System.Text.Encoding.UTF8.GetString(reply.AsSpan(8)).Should().Contain("connection id");
    }

    [Test]
    public async Task Scrape_returns_counts_per_hash_in_request_order()
    {
        using var client = new UdpTrackerClient(_tracker.UdpV4);
        var id = await client.ConnectAsync();
        var busy = TestData.NewHash();
        var unknown = TestData.NewHash();
        await client.RoundTripAsync(UdpTrackerClient.Announce(id, 1, busy, TestData.PeerId(4), 0, 2, 10, 7001));
        await client.RoundTripAsync(UdpTrackerClient.Announce(id, 2, busy, TestData.PeerId(5), 10, 2, 10, 7002));

        var reply = await client.RoundTripAsync(UdpTrackerClient.Scrape(id, 3, unknown, busy));

        ReadInt(reply, 0).Should().Be(2);
        ReadInt(reply, 4).Should().Be(3);
        reply.Should().HaveCount(8 + 24);
        (ReadInt(reply, 8), ReadInt(reply, 12), ReadInt(reply, 16)).Should().Be((0, 0, 0));
        (ReadInt(reply, 20), ReadInt(reply, 24), ReadInt(reply, 28)).Should().Be((1, 0, 1));
    }

    [Test]
    public async Task Scrape_of_more_hashes_than_the_cap_is_refused()
    {
        using var client = new UdpTrackerClient(_tracker.UdpV4);
        var id = await client.ConnectAsync();
        var hashes = Enumerable.Range(0, 75).Select(_ => TestData.NewHash()).ToArray();

        var reply = await client.RoundTripAsync(UdpTrackerClient.Scrape(id, 5, hashes));

        ReadInt(reply, 0).Should().Be(3);
        System.Text.Encoding.UTF8.GetString(reply.AsSpan(8)).Should().Contain("too many");
    }

    [Test]
    public async Task Stopped_removes_the_peer()
    {
        using var client = new UdpTrackerClient(_tracker.UdpV4);
        var id = await client.ConnectAsync();
        var hash = TestData.NewHash();
        await client.RoundTripAsync(UdpTrackerClient.Announce(id, 1, hash, TestData.PeerId(6), 10, 2, 10, 7003));
        var stopped = await client.RoundTripAsync(UdpTrackerClient.Announce(id, 2, hash, TestData.PeerId(6), 10, 3, 10, 7003));
        ReadInt(stopped, 12).Should().Be(0, "the only leecher stopped");

        var scrape = await client.RoundTripAsync(UdpTrackerClient.Scrape(id, 3, hash));
        ReadInt(scrape, 16).Should().Be(0);
    }

    [TestCase(new byte[0], TestName = "Empty datagram")]
    [TestCase(new byte[] { 0, 0, 4, 23, 39, 16, 25 }, TestName = "Truncated connect")]
    [TestCase(new byte[] { 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9 }, TestName = "Connect with wrong magic")]
    [TestCase(new byte[] { 0, 0, 4, 23, 39, 16, 25, 128, 0, 0, 0, 9, 0, 0, 0, 9 }, TestName = "Unknown action")]
    [TestCase(new byte[] { 0, 0, 4, 23, 39, 16, 25, 128, 0, 0, 0, 1, 0, 0, 0, 9, 1, 2, 3 }, TestName = "Truncated announce")]
    public async Task Malformed_datagrams_get_no_reply_and_the_listener_goes_on(byte[] datagram)
    {
        using var client = new UdpTrackerClient(_tracker.UdpV4);
        await client.SendAsync(datagram);

        // One receive loop handles datagrams in order: if the malformed one had been answered, that answer would
        // arrive before the connect reply.
        var id = await client.ConnectAsync();
        id.Should().NotBe(0);
    }

    private static int ReadInt(byte[] data, int offset) => BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(offset));
}
