namespace FediTracker.EndToEnd.Tests;

/// <summary>
/// A real BitTorrent download through the tracker: a libtorrent seeder and leecher (python3-libtorrent, driven by
/// clients/libtorrent_swarm.py) whose only way to find each other is the tracker under test, over HTTP and UDP,
/// IPv4 and IPv6. Each test checks that the leecher's copy is the file, and that the tracker's swarm held both
/// peers (two seeders, one completed download) while they were in it, and neither once they left.
/// </summary>
[TestFixture]
public sealed class LibtorrentDownloadTests
{
    // Bounds each test: the script gives up after LibtorrentSwarm.ScriptTimeout, its process tree is killed at
    // LibtorrentSwarm.HardTimeout; this is the last resort above both.
    private const int TestTimeoutMs = 180_000;

    // A few MB with a short last piece.
    private const int FileSize = (3 * 1024 * 1024) + 12_345;

    private TrackerUnderTest _tracker = null!;
    private string _directory = null!;

    [OneTimeSetUp]
    public Task RequireLibtorrentAsync() => Python.RequireLibtorrentAsync();

    [SetUp]
    public async Task StartAsync()
    {
        _directory = Directory.CreateTempSubdirectory("feditracker-e2e-").FullName;
        _tracker = await TrackerUnderTest.StartAsync(TestContext.CurrentContext.CancellationToken);
    }

    [TearDown]
    public async Task StopAsync()
    {
        if (_tracker is not null)
        {
            await _tracker.DisposeAsync();
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
    public async Task Download_through_the_http_tracker_over_ipv4() =>
        await DownloadAsync(new Uri($"http://{_tracker.HttpV4}/announce"));

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task Download_through_the_udp_tracker_over_ipv4() =>
        await DownloadAsync(new Uri($"udp://{_tracker.UdpV4}/announce"));

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task Download_through_the_http_tracker_over_ipv6()
    {
        // libtorrent 2.0.8 writes "Host: ::1:port" for this URL, which Kestrel refuses with 400 before the tracker
        // sees it; the relay adds the brackets and changes nothing else (see Ipv6HostHeaderRelay).
        await using var relay = new Ipv6HostHeaderRelay(_tracker.HttpV6);
        await DownloadAsync(new Uri($"http://{relay.Endpoint}/announce"));
        relay.Rewritten.Should().BeGreaterThan(0, "the announces reached the tracker through the relay");
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task Download_through_the_udp_tracker_over_ipv6() =>
        await DownloadAsync(new Uri($"udp://{_tracker.UdpV6}/announce"));

    /// <summary>
    /// libtorrent keeps one UDP connection id per tracker address for its whole process (a static cache, reused for
    /// up to a minute), and uses it from every session and listen socket of that process, each with its own source
    /// port. A tracker that derives the id from the client's IP alone (opentracker does) accepts that; one that binds
    /// it to the source port too refuses every announce but the first socket's ("connection id expired or invalid",
    /// which libtorrent 2.0.8 shows as an empty failure message).
    /// </summary>
    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task Download_through_the_udp_tracker_with_two_sessions_in_one_process() =>
        await DownloadAsync(
            new Uri($"udp://{_tracker.UdpV4}/announce"),
            oneProcess: true,
            knownCause: "If the leecher's announce fails with an empty failure message: the second session reused the first "
                + "session's UDP connection id from another source port, and the tracker (ConnectionIdIssuer, which MACs "
                + "address and port) refused it.");

    /// <summary>
    /// A hybrid (v1 + v2) torrent: libtorrent announces it under both its v1 hash and its truncated v2 hash, and the
    /// tracker keeps two swarms, each with the seeder and the leecher, and hands out peers in both.
    /// </summary>
    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task A_hybrid_torrent_announces_and_downloads_over_both_hashes()
    {
        var cancellationToken = TestContext.CurrentContext.CancellationToken;
        var announce = new Uri($"http://{_tracker.HttpV4}/announce");
        var file = Path.Combine(Directory.CreateDirectory(Path.Combine(_directory, "seeder")).FullName, "media.bin");
        var content = new byte[FileSize];
        Random.Shared.NextBytes(content);
        await File.WriteAllBytesAsync(file, content, cancellationToken);
        var work = Directory.CreateDirectory(Path.Combine(_directory, "work")).FullName;

        string[] hashes = [];
        SwarmSnapshot? v1 = null, v2 = null;
        var run = await LibtorrentSwarm.RunAsync(
            announce,
            seederAnnounce: null,
            file,
            work,
            oneProcess: false,
            ready =>
            {
                hashes = ready.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                v1 = _tracker.Snapshot(hashes[0]);
                v2 = _tracker.Snapshot(hashes[1]);
                return Task.CompletedTask;
            },
            cancellationToken,
            hybrid: true);

        var context = $"{run.Describe()}\n--- tracker log ---\n{_tracker.Log}";
        run.ExitCode.Should().Be(0, "the leecher should end with a verified copy of the file\n{0}", context);
        hashes.Should().HaveCount(2).And.OnlyHaveUniqueItems();
        v1.Should().NotBeNull();
        (v1!.Value.Complete, v1.Value.Incomplete, v1.Value.StoreSwarms).Should().Be((2, 0, 2), "the v1 swarm holds both clients, and the v2 swarm exists beside it\n{0}", context);
        (v2!.Value.Complete, v2.Value.Incomplete).Should().Be((2, 0), "the v2 swarm holds both clients too\n{0}", context);
        v1.Value.StorePeers.Should().Be(4, "two clients in each of the two swarms\n{0}", context);
    }

    private async Task DownloadAsync(Uri announce, bool oneProcess = false, string? knownCause = null)
    {
        var cancellationToken = TestContext.CurrentContext.CancellationToken;
        var file = Path.Combine(Directory.CreateDirectory(Path.Combine(_directory, "seeder")).FullName, "media.bin");
        var content = new byte[FileSize];
        Random.Shared.NextBytes(content);
        await File.WriteAllBytesAsync(file, content, cancellationToken);
        var work = Directory.CreateDirectory(Path.Combine(_directory, "work")).FullName;

        SwarmSnapshot? held = null;
        var run = await LibtorrentSwarm.RunAsync(announce, file, work, oneProcess, hash => held = _tracker.Snapshot(hash), cancellationToken);

        var context = $"""
            announce URL {announce}
            {knownCause}
            {run.Describe()}
            --- tracker log ---
            {_tracker.Log}
            """;
        run.ExitCode.Should().Be(0, "the leecher should end with a verified copy of the file\n{0}", context);
        held.Should().NotBeNull("the script reports READY once the download is verified\n{0}", context);
        held.Should().Be(
            new SwarmSnapshot(Complete: 2, Incomplete: 0, Downloaded: 1, StorePeers: 2, StoreSwarms: 1),
            "the tracker should hold the seeder and the leecher, now a seeder too, with one completed download\n{0}",
            context);

        var left = _tracker.Snapshot(run.InfoHash!);
        (left.StorePeers, left.Downloaded).Should().Be(
            (0L, 1L),
            "both clients announce 'stopped' as they leave, and the completed download stays counted\n{0}",
            context);
        _tracker.Udp.Faults.Should().Be(0, "no datagram should have failed in the UDP listener\n{0}", context);
    }
}
