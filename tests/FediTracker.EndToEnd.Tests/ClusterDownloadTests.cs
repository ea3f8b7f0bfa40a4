using FediTracker.Protocol;
using FediTracker.Storage.Redis.Tests.Infrastructure;

namespace FediTracker.EndToEnd.Tests;

/// <summary>
/// A real BitTorrent download through the cluster shape: two tracker nodes in process over one real redis-server
/// (<c>--store redis</c>, a shared UDP connection secret). The libtorrent seeder's torrent names only node A, the
/// leecher's only node B (same info dict, same info-hash; clients/libtorrent_swarm.py --seeder-announce checks that
/// libtorrent's tracker lists are exactly those), so the leecher can learn of the seeder only through the swarm the
/// nodes share in Redis. Each test checks the leecher's verified copy, and the swarm as a scrape through the Redis
/// store shows it: two seeders and one completed download while both clients are held, no peers once they left.
/// </summary>
[TestFixture]
public sealed class ClusterDownloadTests
{
    // As in LibtorrentDownloadTests: the script's deadline and the process-tree kill come first, this is the last resort.
    private const int TestTimeoutMs = 180_000;

    private const int FileSize = (3 * 1024 * 1024) + 12_345;

    // Both nodes must accept each other's UDP connection ids.
    private const string SharedUdpSecret = "AAECAwQFBgcICQoLDA0ODw==";

    private RedisServer _redis = null!;
    private TrackerUnderTest _nodeA = null!;
    private TrackerUnderTest _nodeB = null!;
    private string _directory = null!;

    [OneTimeSetUp]
    public async Task RequireToolsAsync()
    {
        await Python.RequireLibtorrentAsync();

        // Fails (never skips) with install advice when redis-server is not on PATH (RedisTools).
        _redis = await RedisServer.StartNewAsync();
    }

    [OneTimeTearDown]
    public async Task StopRedisAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    [SetUp]
    public async Task StartNodesAsync()
    {
        var cancellationToken = TestContext.CurrentContext.CancellationToken;
        _directory = Directory.CreateTempSubdirectory("feditracker-e2e-cluster-").FullName;
        string[] cluster = ["--store", "redis", "--redis", _redis.EndPoint, "--Listen:UdpConnectionSecret", SharedUdpSecret];
        _nodeA = await TrackerUnderTest.StartAsync(cancellationToken, cluster);
        _nodeB = await TrackerUnderTest.StartAsync(cancellationToken, cluster);
    }

    [TearDown]
    public async Task StopNodesAsync()
    {
        if (_nodeB is not null)
        {
            await _nodeB.DisposeAsync();
        }

        if (_nodeA is not null)
        {
            await _nodeA.DisposeAsync();
        }

        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Passed)
        {
            Directory.Delete(_directory, recursive: true);
        }
        else
        {
            await TestContext.Out.WriteLineAsync($"Kept for diagnosis: {_directory}");
        }
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task Seeder_on_node_a_and_leecher_on_node_b_over_http() =>
        await DownloadAsync(
            seederAnnounce: new Uri($"http://{_nodeA.HttpV4}/announce"),
            leecherAnnounce: new Uri($"http://{_nodeB.HttpV4}/announce"));

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task Seeder_on_node_a_and_leecher_on_node_b_over_udp() =>
        await DownloadAsync(
            seederAnnounce: new Uri($"udp://{_nodeA.UdpV4}/announce"),
            leecherAnnounce: new Uri($"udp://{_nodeB.UdpV4}/announce"));

    private async Task DownloadAsync(Uri seederAnnounce, Uri leecherAnnounce)
    {
        var cancellationToken = TestContext.CurrentContext.CancellationToken;
        var file = Path.Combine(Directory.CreateDirectory(Path.Combine(_directory, "seeder")).FullName, "media.bin");
        var content = new byte[FileSize];
        Random.Shared.NextBytes(content);
        await File.WriteAllBytesAsync(file, content, cancellationToken);
        var work = Directory.CreateDirectory(Path.Combine(_directory, "work")).FullName;

        ScrapeEntry? heldViaA = null;
        ScrapeEntry? heldViaB = null;
        var run = await LibtorrentSwarm.RunAsync(
            leecherAnnounce,
            seederAnnounce,
            file,
            work,
            oneProcess: false,
            async hash =>
            {
                heldViaA = await _nodeA.ScrapeAsync(hash, cancellationToken);
                heldViaB = await _nodeB.ScrapeAsync(hash, cancellationToken);
            },
            cancellationToken);

        var context = $"""
            seeder's announce URL {seederAnnounce} (node A), leecher's {leecherAnnounce} (node B), redis {_redis.EndPoint}
            {run.Describe()}
            --- node A log ---
            {_nodeA.Log}
            --- node B log ---
            {_nodeB.Log}
            --- redis-server ---
            {_redis.RecentOutput}
            """;
        run.ExitCode.Should().Be(0, "the leecher should end with a verified copy of the file, found through node B\n{0}", context);
        heldViaB.Should().NotBeNull("the script reports READY once the download is verified\n{0}", context);
        heldViaB.Should().Be(
            new ScrapeEntry(Complete: 2, Downloaded: 1, Incomplete: 0),
            "the Redis store should hold the seeder (via node A) and the leecher, now a seeder too (via node B), with one completed download\n{0}",
            context);
        heldViaA.Should().Be(heldViaB, "both nodes read the same swarm from Redis\n{0}", context);

        var left = await _nodeA.ScrapeAsync(run.InfoHash!, cancellationToken);
        left.Should().Be(
            new ScrapeEntry(Complete: 0, Downloaded: 1, Incomplete: 0),
            "both clients announce 'stopped' as they leave, and the completed download stays counted\n{0}",
            context);
        _nodeA.Udp.Faults.Should().Be(0, "no datagram should have failed in node A's UDP listener\n{0}", context);
        _nodeB.Udp.Faults.Should().Be(0, "no datagram should have failed in node B's UDP listener\n{0}", context);
    }
}
