using FediTracker.Server.Hosting;

namespace FediTracker.Server.Tests;

public sealed class ConfigurationTests
{
    [Test]
    public void Every_configuration_error_is_reported_at_once()
    {
        var act = () => TrackerHost.Build(
        [
            "--http", "not-an-endpoint",
            "--udp", "127.0.0.1:99999",
            "--store", "cassandra",
            "--Tracker:AnnounceIntervalSeconds", "5",
            "--Tracker:DefaultNumWant", "300",
            "--Tracker:MaxNumWant", "100",
            "--Listen:UdpConnectionSecret", "c2hvcnQ=",
            "--Tracker:LatencySampleInterval", "12",
        ]);

        var errors = act.Should().Throw<ConfigurationException>().Which.Errors;
        errors.Should().Contain(e => e.Contains("Listen:Http", StringComparison.Ordinal) && e.Contains("not-an-endpoint", StringComparison.Ordinal));
        errors.Should().Contain(e => e.Contains("Listen:Udp", StringComparison.Ordinal));
        errors.Should().Contain(e => e.Contains("Store:Kind", StringComparison.Ordinal));
        errors.Should().Contain(e => e.Contains("AnnounceIntervalSeconds", StringComparison.Ordinal));
        errors.Should().Contain(e => e.Contains("DefaultNumWant", StringComparison.Ordinal));
        errors.Should().Contain(e => e.Contains("UdpConnectionSecret", StringComparison.Ordinal));
        errors.Should().Contain(e => e.Contains("LatencySampleInterval must be a power of two", StringComparison.Ordinal));
    }

    [Test]
    public void Every_error_in_the_torrents_section_is_reported_at_once()
    {
        var act = () => TrackerHost.Build(
        [
            "--Torrents:AnnounceUrls:0", "tracker.example/announce",
            "--Torrents:AnnounceUrls:1", "udp://tracker.example/announce",
            "--Torrents:AnnounceUrls:2", "ftp://tracker.example/announce",
            "--Torrents:PublicUrl", "https://tracker.example/?x=1",
            "--Torrents:MaxMediaBytes", "0",
            "--Torrents:MakeWorkers", "0",
            "--Torrents:MakeQueueCapacity", "0",
            "--Torrents:MediaTimeoutSeconds", "0",
            "--Torrents:CacheSeconds", "-1",
            "--Torrents:MinAttachmentBytes", "-1",
        ]);

        var errors = act.Should().Throw<ConfigurationException>().Which.Errors;
        foreach (var key in new[] { "AnnounceUrls:0", "AnnounceUrls:1", "AnnounceUrls:2", "PublicUrl", "MaxMediaBytes", "MakeWorkers", "MakeQueueCapacity", "MediaTimeoutSeconds", "CacheSeconds", "MinAttachmentBytes" })
        {
            errors.Should().Contain(e => e.Contains(key, StringComparison.Ordinal), key);
        }

        errors.Should().Contain(e => e.Contains("needs a port", StringComparison.Ordinal));
        var extraAlone = () => TrackerHost.Build(["--Torrents:ExtraTrackers:0", "https://other.example/announce"]);
        extraAlone.Should().Throw<ConfigurationException>().Which.Errors.Should().ContainSingle(e => e.Contains("ExtraTrackers needs", StringComparison.Ordinal));
        var unknown = () => TrackerHost.Build(["--Torrents:MaxMediaByte", "1"]);
        unknown.Should().Throw<ConfigurationException>().Which.Errors.Should().Contain(e => e.Contains("'MaxMediaByte'", StringComparison.Ordinal));
    }

    [Test]
    public void A_value_of_the_wrong_type_is_reported_not_thrown_raw()
    {
        var act = () => TrackerHost.Build(["--Tracker:MaxNumWant", "many"]);
        act.Should().Throw<ConfigurationException>().Which.Errors.Should().Contain(e => e.StartsWith("Tracker", StringComparison.Ordinal));
    }

    [Test]
    public void An_unknown_key_is_reported()
    {
        var act = () => TrackerHost.Build(["--Tracker:AnnounceIntervalSecs", "900"]);
        act.Should().Throw<ConfigurationException>().Which.Errors.Should().Contain(e => e.Contains("AnnounceIntervalSecs", StringComparison.Ordinal));
    }

    [Test]
    public async Task Environment_style_keys_and_flags_configure_the_tracker()
    {
        await using var tracker = await TestTracker.StartAsync("--Tracker:AnnounceIntervalSeconds", "1200", "--Tracker:IntervalJitter", "0");
        var options = tracker.Services.GetService(typeof(Microsoft.Extensions.Options.IOptions<FediTracker.Core.TrackerOptions>))
            as Microsoft.Extensions.Options.IOptions<FediTracker.Core.TrackerOptions>;
        options!.Value.AnnounceIntervalSeconds.Should().Be(1200);
    }
}
