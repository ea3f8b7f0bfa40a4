using System.Text.Json;
using FediTracker.Federation.Media;

namespace FediTracker.Federation.Tests;

/// <summary>The attachments read from the shapes posts arrive in, and hostile ones.</summary>
public class MediaAttachmentTests
{
    private static IReadOnlyList<MediaAttachment> Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return MediaAttachment.ReadAll(document.RootElement);
    }

    [Test]
    public void A_Mastodon_note_gives_its_documents_with_their_media_types_and_no_size()
    {
        var found = Read("""
            {"type": "Note", "id": "https://s.example/users/a/statuses/1", "url": "https://s.example/@a/1",
             "attachment": [
               {"type": "Document", "mediaType": "video/mp4", "url": "https://files.s.example/v.mp4", "name": "alt text"},
               {"type": "Document", "mediaType": "image/png", "url": "https://files.s.example/i.png", "name": null}]}
            """);

        found.Should().Equal(
            new MediaAttachment("https://files.s.example/v.mp4", "video/mp4", null),
            new MediaAttachment("https://files.s.example/i.png", "image/png", null));
        found.Should().OnlyContain(a => a.IsMedia);
    }

    [Test]
    public void A_PeerTube_video_gives_its_url_links_with_stated_sizes_and_older_mimeType()
    {
        var found = Read("""
            {"type": "Video", "id": "https://p.example/videos/watch/1",
             "url": [
               {"type": "Link", "mediaType": "text/html", "href": "https://p.example/w/1"},
               {"type": "Link", "mediaType": "video/mp4", "href": "https://p.example/static/1-720.mp4", "size": 52428800, "height": 720},
               {"type": "Link", "mimeType": "video/webm", "href": "https://p.example/static/1-480.webm", "size": 1.5e3},
               {"type": "Link", "mediaType": "application/x-bittorrent", "href": "https://p.example/static/1-720.torrent"}]}
            """);

        found.Select(a => (a.Url, a.MediaType, a.Size)).Should().Equal(
            ("https://p.example/w/1", "text/html", (long?)null),
            ("https://p.example/static/1-720.mp4", "video/mp4", 52_428_800L),
            ("https://p.example/static/1-480.webm", "video/webm", null),
            ("https://p.example/static/1-720.torrent", "application/x-bittorrent", null));
        found.Select(a => a.IsMedia).Should().Equal(false, true, true, false);
    }

    [Test]
    public void Url_as_a_link_object_or_an_array_is_read_and_each_url_is_taken_once()
    {
        var found = Read("""
            {"type": "Note", "attachment": {"type": "Video", "mediaType": "video/mp4",
              "url": [{"type": "Link", "href": "https://s.example/a.mp4", "size": 10},
                      "https://s.example/a.mp4",
                      {"type": "Link", "href": "https://s.example/b.webm", "mediaType": "video/webm"}]}}
            """);

        found.Should().Equal(
            new MediaAttachment("https://s.example/a.mp4", "video/mp4", 10),
            new MediaAttachment("https://s.example/b.webm", "video/webm", null));
    }

    [Test]
    public void Hostile_shapes_give_nothing_or_at_most_the_limit()
    {
        Read("""{"type": "Note", "attachment": [1, null, "https://s.example/x.mp4", {"url": 5}, {"url": {"href": 7}}]}""").Should().BeEmpty();
        Read("""{"type": "Note", "attachment": {"mediaType": "video/mp4", "url": "https://s.example/x.mp4", "size": -5}}""").Single().Size.Should().BeNull();
        Read("""[{"type": "Note"}]""").Should().BeEmpty();
        var many = string.Join(',', Enumerable.Range(0, 500).Select(i => $$"""{"mediaType": "video/mp4", "url": "https://s.example/{{i}}.mp4"}"""));
        Read($$"""{"type": "Note", "attachment": [{{many}}]}""").Should().HaveCount(MediaAttachment.MaxItems);
    }

    [TestCase("video/mp4", true)]
    [TestCase("Audio/OGG; codecs=opus", true)]
    [TestCase("image/webp", true)]
    [TestCase("application/pdf", false)]
    [TestCase("videos/mp4", false)]
    [TestCase(null, false)]
    public void Media_is_audio_video_or_an_image(string? mediaType, bool isMedia) =>
        new MediaAttachment("https://s.example/x", mediaType, null).IsMedia.Should().Be(isMedia);
}
