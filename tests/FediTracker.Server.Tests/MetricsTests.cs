using System.Text;
using FediTracker.Storage.Redis.Tests.Infrastructure;

namespace FediTracker.Server.Tests;

// The exporter collects every meter named FediTracker in the process; other fixtures' trackers must not run meanwhile.
[NonParallelizable]
public sealed class MetricsTests
{
    [Test]
    public async Task Metrics_on_the_admin_port_count_announces_failures_and_connects_after_traffic()
    {
        await using var tracker = await TestTracker.StartAsync();
        using var http = new HttpClient();
        var hash = TestData.NewHash();

        var ok = $"http://{tracker.HttpV4}/announce?info_hash={TestData.Escape(hash)}&peer_id={Encoding.ASCII.GetString(TestData.PeerId(1))}&port=6881&left=5";
        (await http.GetStringAsync(new Uri(ok))).Should().NotContain("failure reason");
        (await http.GetStringAsync(new Uri($"http://{tracker.HttpV4}/announce?info_hash=bad"))).Should().Contain("failure reason");
        using (var udp = new UdpTrackerClient(tracker.UdpV6))
        {
            var id = await udp.ConnectAsync();
            await udp.RoundTripAsync(UdpTrackerClient.Announce(id, 1, hash, TestData.PeerId(2), 0, 2, 10, 6882));
        }

        var text = await http.GetStringAsync(new Uri($"http://{tracker.Admin[0]}/metrics"));

        text.Should().Contain("feditracker_announces_total{").And.Contain("protocol=\"http\"").And.Contain("protocol=\"udp\"");
        Value(text, "feditracker_announces_total", "family=\"ipv6\"", "event=\"started\"", "protocol=\"udp\"", "result=\"ok\"").Should().Be(1);
        Value(text, "feditracker_announces_total", "family=\"ipv4\"", "event=\"none\"", "protocol=\"http\"", "result=\"ok\"").Should().Be(1);
        Value(text, "feditracker_failures_total", "protocol=\"http\"", "reason=\"invalid_request\"").Should().Be(1);
        Value(text, "feditracker_udp_connects_total").Should().Be(1);
        Value(text, "feditracker_peers", "kind=\"leecher\"").Should().Be(1);
        Value(text, "feditracker_peers", "kind=\"seeder\"").Should().Be(1);
        Value(text, "feditracker_torrents").Should().Be(1);
        text.Should().Contain("feditracker_request_duration_seconds_bucket").And.Contain("dotnet_gc_collections_total");

        using var publicMetrics = await http.GetAsync(new Uri($"http://{tracker.HttpV4}/metrics"));
        publicMetrics.StatusCode.Should().Be(System.Net.HttpStatusCode.NotFound, "metrics are for operators, on the admin port only");
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Redis_backed_nodes_export_the_cluster_wide_torrents_and_peers_from_the_census(CancellationToken cancellationToken)
    {
        await using var redis = await RedisServer.StartNewAsync();
        string[] arguments = ["--store", "redis", "--redis", redis.EndPoint, "--Store:RedisCensusSeconds", "1"];
        await using var a = await TestTracker.StartAsync(arguments);
        await using var b = await TestTracker.StartAsync(arguments);
        using var http = new HttpClient();
        var hash = TestData.NewHash();

        // A seeder through node A over HTTP, a leecher through node B over UDP.
        var seeder = $"http://{a.HttpV4}/announce?info_hash={TestData.Escape(hash)}&peer_id={Encoding.ASCII.GetString(TestData.PeerId(1))}&port=6881&left=0";
        (await http.GetStringAsync(new Uri(seeder), cancellationToken)).Should().NotContain("failure reason");
        using (var udp = new UdpTrackerClient(b.UdpV4))
        {
            var id = await udp.ConnectAsync();
            await udp.RoundTripAsync(UdpTrackerClient.Announce(id, 1, hash, TestData.PeerId(2), left: 100, 2, 10, 6882));
        }

        // Both nodes report the whole cluster (each runs its own census of the same Redis), within a census or two.
        foreach (var node in new[] { a, b })
        {
            string text;
            do
            {
                await Task.Delay(200, cancellationToken);
                text = await http.GetStringAsync(new Uri($"http://{node.Admin[0]}/metrics"), cancellationToken);
            }
            while (!text.Split('\n').Any(l => l.StartsWith("feditracker_torrents", StringComparison.Ordinal) && l.Contains(" 1", StringComparison.Ordinal)));

            Value(text, "feditracker_torrents").Should().Be(1);
            Value(text, "feditracker_peers", "kind=\"seeder\"").Should().Be(1);
            Value(text, "feditracker_peers", "kind=\"leecher\"").Should().Be(1);
        }
    }

    // The value of the one sample of a metric whose labels include all of the given ones.
    private static double Value(string exposition, string name, params string[] labels)
    {
        var samples = exposition.Split('\n')
            .Where(l => l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal))
            .Where(l => labels.All(label => l.Contains(label, StringComparison.Ordinal)))
            .ToList();
        samples.Should().ContainSingle($"one sample of {name} with {string.Join(',', labels)}; got:\n{string.Join('\n', samples)}");
        var line = samples[0];
        var value = line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0];
        return double.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
