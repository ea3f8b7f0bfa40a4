using FediTracker.Federation.Media;

namespace FediTracker.Federation.Tests;

/// <summary>The file name a made torrent gets: one path component, never empty.</summary>
public class TorrentMakerNameTests
{
    [TestCase("https://files.example/media/a/b/clip.webm", null, "clip.webm")]
    [TestCase("https://files.example/media/caf%C3%A9%20night.mp4", null, "café night.mp4")]
    [TestCase("https://files.example/media/a%2Fb%5Cc.mp4", null, "a_b_c.mp4")]
    [TestCase("https://files.example/", null, "media")]
    [TestCase("https://files.example/..", null, "media")]
    [TestCase("https://files.example/x.mp4", "Talk.webm", "Talk.webm")]
    [TestCase("https://files.example/x.mp4", "  ", "x.mp4")]
    [TestCase("https://files.example/x.mp4", "a/b", "a_b")]
    public void Names_come_from_the_request_or_the_url_path_and_are_one_component(string url, string? requested, string expected) =>
        TorrentMaker.NameFor(new Uri(url), requested).Should().Be(expected);

    [Test]
    public void Long_names_are_cut_to_255_characters() =>
        TorrentMaker.NameFor(new Uri("https://files.example/" + new string('a', 400)), null).Should().HaveLength(255);
}
