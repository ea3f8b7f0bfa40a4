using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Text;
using FediTracker.Core.Swarms;
using FediTracker.Protocol;
using FediTracker.Protocol.Bencode;
using FediTracker.Storage.Redis.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FediTracker.Server.Tests;

/// <summary>
/// The promise of a revocation: once the API call has returned, not one announce on any node hands out a peer. HTTP
/// and UDP clients hammer one hash on two nodes (the cluster shape) or one node (the single-node shape) while it is
/// revoked; every announce sent after the call returned must be refused, and the swarm must be empty at the end.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class RevocationRaceTests
{
    private const int WorkersPerNodeAndProtocol = 3;
    private const int AnnouncesAfterRevocation = 60;
    private const int MaxAnnouncesPerWorker = 3_000;

    private RedisServer _redis = null!;

    [OneTimeSetUp]
    public async Task StartRedisAsync() => _redis = await RedisServer.StartNewAsync();

    [OneTimeTearDown]
    public async Task StopRedisAsync() => await _redis.DisposeAsync();

    [Test]
    public async Task Cluster_shape_two_nodes_hand_out_no_peer_once_the_revocation_returned()
    {
        var prefix = "race" + Guid.NewGuid().ToString("N")[..8];
        string[] shared = ["--store", "redis", "--redis", _redis.EndPoint, "--Store:RedisKeyPrefix", prefix, "--Listen:UdpConnectionSecret", "AAECAwQFBgcICQoLDA0ODw==", "--Tracker:RateLimitPerSecond", "0", "--Tracker:AccessMode", "registered", .. AdminApiClient.TokenArgs];
        await using var a = await TestTracker.StartAsync(shared);
        await using var b = await TestTracker.StartAsync(shared);
        await RunRaceAsync(a, [a, b]);
    }

    [Test]
    public async Task Single_node_shape_hands_out_no_peer_once_the_revocation_returned()
    {
        await using var a = await TestTracker.StartAsync(["--Tracker:RateLimitPerSecond", "0", "--Tracker:AccessMode", "registered", .. AdminApiClient.TokenArgs]);
        await RunRaceAsync(a, [a]);
    }

    private static async Task RunRaceAsync(TestTracker adminNode, TestTracker[] nodes)
    {
        using var admin = new AdminApiClient(adminNode);
        var hash = TestData.NewHash();
        await admin.RegisterAsync(hash);

        var revoked = 0; // set to 1 once the revoke call has returned
        var withPeers = 0;
        var busy = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var violations = new ConcurrentQueue<string>();
        var afterCounts = new ConcurrentBag<int>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var workers = new List<Task>();
        var peerNumber = 0;
        foreach (var node in nodes)
        {
            for (var w = 0; w < WorkersPerNodeAndProtocol; w++)
            {
                workers.Add(Task.Run(() => HttpWorkerAsync(node.HttpV4, hash, Interlocked.Increment(ref peerNumber))));
                workers.Add(Task.Run(() => UdpWorkerAsync(node.UdpV4, hash, Interlocked.Increment(ref peerNumber))));
            }
        }

        // Revoke once the swarm is busy and handing out peers.
        await Task.WhenAny(busy.Task, Task.WhenAll(workers)).WaitAsync(deadline.Token);
        Volatile.Read(ref withPeers).Should().BeGreaterThanOrEqualTo(200, "the swarm should be live before the revocation");
        var (status, _) = await admin.PostAsync("revocations", new { infoHash = Convert.ToHexStringLower(hash), reason = "race test" });
        Volatile.Write(ref revoked, 1);
        status.Should().Be(HttpStatusCode.Created);

        await Task.WhenAll(workers);

        violations.Should().BeEmpty();
        afterCounts.Should().HaveCount(nodes.Length * WorkersPerNodeAndProtocol * 2).And.OnlyContain(n => n >= AnnouncesAfterRevocation);
        foreach (var node in nodes)
        {
            var counts = new ScrapeEntry[1];
            await node.Services.GetRequiredService<ISwarmStore>().ScrapeAsync(new[] { new InfoHash(Bytes20.Read(hash)) }, counts, CancellationToken.None);
            counts[0].Should().Be(default(ScrapeEntry), "no peer of a revoked torrent is kept");
        }

        async Task HttpWorkerAsync(IPEndPoint endpoint, byte[] infoHash, int peer)
        {
            using var http = new HttpClient();
            var after = 0;
            for (var i = 0; i < MaxAnnouncesPerWorker && after < AnnouncesAfterRevocation && !deadline.IsCancellationRequested; i++)
            {
                var sentAfter = Volatile.Read(ref revoked) == 1;
                var port = 10_000 + (peer * 7) + (i % 7);
                var url = $"http://{endpoint}/announce?info_hash={TestData.Escape(infoHash)}&peer_id={Encoding.ASCII.GetString(TestData.PeerId(peer))}&port={port}&left={(i % 2) * 100}&compact=1&numwant=50";
                var body = await http.GetByteArrayAsync(new Uri(url), deadline.Token);
                BencodeSerializer.TryParse(body, out var value, out _, out _).Should().BeTrue();
                var reply = (BencodeDictionary)value!;
                var peers = AdminApiClient.PeerCount(reply);
                Record(sentAfter, peers, AdminApiClient.Failure(reply), $"HTTP {endpoint}");
                if (sentAfter)
                {
                    after++;
                }
            }

            afterCounts.Add(after);
        }

        async Task UdpWorkerAsync(IPEndPoint endpoint, byte[] infoHash, int peer)
        {
            using var udp = new UdpTrackerClient(endpoint);
            var id = await udp.ConnectAsync();
            var after = 0;
            for (var i = 0; i < MaxAnnouncesPerWorker && after < AnnouncesAfterRevocation && !deadline.IsCancellationRequested; i++)
            {
                var sentAfter = Volatile.Read(ref revoked) == 1;
                var port = (ushort)(30_000 + (peer * 7) + (i % 7));
                var reply = await udp.RoundTripAsync(UdpTrackerClient.Announce(id, i, infoHash, TestData.PeerId(peer), (i % 2) * 100, 2, 50, port));
                var action = BinaryPrimitives.ReadInt32BigEndian(reply);
                var failure = action == 3 ? Encoding.UTF8.GetString(reply.AsSpan(8)) : null;
                var peers = action == 1 ? (reply.Length - 20) / 6 : 0;
                Record(sentAfter, peers, failure, $"UDP {endpoint}");
                if (sentAfter)
                {
                    after++;
                }
            }

            afterCounts.Add(after);
        }

        void Record(bool sentAfter, int peers, string? failure, string where)
        {
            if (!sentAfter)
            {
                if (peers > 0 && Interlocked.Increment(ref withPeers) == 200)
                {
                    busy.TrySetResult();
                }

                return;
            }

            if (peers > 0 || failure != "this torrent has been removed from the tracker")
            {
                violations.Enqueue($"{where}: an announce sent after the revocation returned got {peers} peers, failure '{failure}'");
            }
        }
    }
}
