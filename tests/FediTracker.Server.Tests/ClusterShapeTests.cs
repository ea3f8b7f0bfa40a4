using System.Buffers.Binary;
using System.Net;
using System.Text;
using FediTracker.Protocol.Bencode;
using FediTracker.Storage.Redis.Tests.Infrastructure;
using StackExchange.Redis;

namespace FediTracker.Server.Tests;

/// <summary>The cluster shape: several tracker nodes over one real redis-server.</summary>
[TestFixture]
public sealed class ClusterShapeTests
{
    private const string SharedSecret = "AAECAwQFBgcICQoLDA0ODw==";

    private RedisServer _redis = null!;

    [OneTimeSetUp]
    public async Task StartRedisAsync() => _redis = await RedisServer.StartNewAsync();

    [OneTimeTearDown]
    public async Task StopRedisAsync() => await _redis.DisposeAsync();

    private Task<TestTracker> StartNodeAsync() => TestTracker.StartAsync(
        "--store", "redis", "--redis", _redis.EndPoint, "--Listen:UdpConnectionSecret", SharedSecret);

    [Test]
    public async Task A_peer_announced_to_one_node_is_handed_out_by_the_other_over_http_and_udp()
    {
        await using var a = await StartNodeAsync();
        await using var b = await StartNodeAsync();
        var hash = TestData.NewHash();

        (await HttpAnnounceAsync(a.HttpV4, hash, 1, 7001, left: 0)).ContainsKey("failure reason").Should().BeFalse();

        var viaB = await HttpAnnounceAsync(b.HttpV4, hash, 2, 7002, left: 10);
        var peers = (BencodeString)viaB["peers"];
        peers.Length.Should().Be(6);
        BinaryPrimitives.ReadUInt16BigEndian(peers.Span[4..]).Should().Be(7001);

        // A connection id from node A is good at node B: they share the secret.
        using var udpA = new UdpTrackerClient(a.UdpV4);
        var id = await udpA.ConnectAsync();
        using var udpB = new UdpTrackerClient(b.UdpV4);
        var reply = await udpB.RoundTripAsync(UdpTrackerClient.Announce(id, 5, hash, TestData.PeerId(3), 10, 2, 50, 7003));
        BinaryPrimitives.ReadInt32BigEndian(reply).Should().Be(1, "an announce reply, not an error");
        BinaryPrimitives.ReadInt32BigEndian(reply.AsSpan(16)).Should().Be(1, "one seeder");
        BinaryPrimitives.ReadInt32BigEndian(reply.AsSpan(12)).Should().Be(2, "two leechers, one per node");
        (reply.Length - 20).Should().Be(12, "the seeder from node A and the leecher from node B");
    }

    [Test]
    public async Task A_revocation_marker_in_redis_refuses_the_announce_for_good_on_every_node()
    {
        await using var a = await StartNodeAsync();
        await using var b = await StartNodeAsync();
        var hash = TestData.NewHash();
        await HttpAnnounceAsync(a.HttpV4, hash, 1, 7101, left: 0);

        await using (var admin = await ConnectionMultiplexer.ConnectAsync(_redis.EndPoint))
        {
            await admin.GetDatabase().StringSetAsync($"ft:{{{Convert.ToHexStringLower(hash)}}}:revoked", 1);
        }

        foreach (var node in new[] { a, b })
        {
            var body = await HttpAnnounceAsync(node.HttpV4, hash, 2, 7102, left: 5);
            ((BencodeString)body["failure reason"]).Text.Should().Contain("removed");
            ((BencodeString)body["retry in"]).Text.Should().Be("never", "BEP 31: do not come back");
        }
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task When_redis_goes_away_announces_fail_clearly_health_says_so_and_both_recover(CancellationToken cancellationToken)
    {
        await using var redis = await RedisServer.StartNewAsync();
        await using var node = await TestTracker.StartAsync("--store", "redis", "--redis", redis.EndPoint, "--Store:RedisTimeoutMilliseconds", "500");
        using var http = new HttpClient();
        var hash = TestData.NewHash();
        (await HttpAnnounceAsync(node.HttpV4, hash, 1, 7201, left: 0)).ContainsKey("failure reason").Should().BeFalse();
        (await http.GetAsync(new Uri($"http://{node.Admin[0]}/health"), cancellationToken)).StatusCode.Should().Be(HttpStatusCode.OK);

        await redis.StopAsync();

        var down = await HttpAnnounceAsync(node.HttpV4, hash, 2, 7202, left: 5);
        ((BencodeString)down["failure reason"]).Text.Should().Contain("temporarily unavailable");
        using (var udp = new UdpTrackerClient(node.UdpV4))
        {
            var id = await udp.ConnectAsync();
            var reply = await udp.RoundTripAsync(UdpTrackerClient.Announce(id, 9, hash, TestData.PeerId(3), 5, 0, 10, 7203));
            BinaryPrimitives.ReadInt32BigEndian(reply).Should().Be(3, "an error packet");
            Encoding.UTF8.GetString(reply.AsSpan(8)).Should().Contain("temporarily unavailable");
        }

        var health = await http.GetAsync(new Uri($"http://{node.Admin[0]}/health"), cancellationToken);
        health.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await health.Content.ReadAsStringAsync(cancellationToken)).Should().Contain("swarm store unreachable");

        await redis.StartAsync();

        // The multiplexer reconnects by itself; poll (bounded by the test's timeout) until announces succeed again.
        BencodeDictionary back;
        do
        {
            back = await HttpAnnounceAsync(node.HttpV4, hash, 4, 7204, left: 5);
        }
        while (back.ContainsKey("failure reason") && !cancellationToken.IsCancellationRequested);

        back.ContainsKey("failure reason").Should().BeFalse();
        (await http.GetAsync(new Uri($"http://{node.Admin[0]}/health"), cancellationToken)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Test]
    public void The_redis_store_needs_a_configuration_string()
    {
        var act = () => FediTracker.Server.Hosting.TrackerHost.Build(["--store", "redis"]);
        act.Should().Throw<FediTracker.Server.Hosting.ConfigurationException>()
            .Which.Errors.Should().Contain(e => e.Contains("Store:Redis", StringComparison.Ordinal));
    }

    private static async Task<BencodeDictionary> HttpAnnounceAsync(IPEndPoint endpoint, byte[] hash, int peer, int port, long left)
    {
        using var http = new HttpClient();
        var url = $"http://{endpoint}/announce?info_hash={TestData.Escape(hash)}&peer_id={Encoding.ASCII.GetString(TestData.PeerId(peer))}&port={port}&left={left}";
        var body = await http.GetByteArrayAsync(new Uri(url));
        BencodeSerializer.TryParse(body, out var value, out _, out _).Should().BeTrue();
        return (BencodeDictionary)value!;
    }
}
