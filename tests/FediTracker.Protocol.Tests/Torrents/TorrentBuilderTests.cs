using FediTracker.Protocol.Torrents;

namespace FediTracker.Protocol.Tests.Torrents;

[TestFixture]
public sealed class TorrentBuilderTests
{
    [TestCase(0L, 16384)]
    [TestCase(1L, 16384)]
    [TestCase(2000L * 16384, 16384)]          // exactly 2000 pieces of the smallest size
    [TestCase((2000L * 16384) + 1, 32768)]     // one byte more: 1001 pieces of twice the size
    [TestCase(100L << 20, 65536)]              // 100 MiB: 1600 pieces
    [TestCase(1L << 30, 1 << 20)]              // 1 GiB: 1024 pieces of 1 MiB
    [TestCase(32000L << 20, 16 << 20)]         // 2000 pieces of the largest automatic size
    [TestCase(1L << 40, 16 << 20)]             // 1 TiB: capped, 65536 pieces
    public void Chooses_a_power_of_two_piece_length_for_about_1000_to_2000_pieces(long length, int expected)
    {
        var pieceLength = TorrentBuilder.ChoosePieceLength(length);

        pieceLength.Should().Be(expected);
        var pieces = (length + pieceLength - 1) / pieceLength;
        if (pieceLength > TorrentBuilder.MinPieceLength && pieceLength < TorrentBuilder.MaxAutomaticPieceLength)
        {
            pieces.Should().BeInRange(1001, 2000);
        }
    }

    [Test]
    public async Task Chooses_the_piece_length_from_a_seekable_stream_s_length()
    {
        var result = await TorrentBuilder.BuildAsync(new MemoryStream(new byte[(2000 * 16384) + 1]), new TorrentBuildOptions { Name = "a" });

        result.PieceLength.Should().Be(32768);
        result.PieceCount.Should().Be(1001);
    }

    [Test]
    public async Task Chooses_the_piece_length_from_the_given_content_length_when_the_stream_cannot_seek()
    {
        var result = await TorrentBuilder.BuildAsync(new TrickleStream(new byte[100], 1000), new TorrentBuildOptions { Name = "a", ContentLength = 100L << 20 });

        result.PieceLength.Should().Be(65536);
        result.Length.Should().Be(100, "the torrent describes the bytes read, the content length only picks the piece length");
    }

    [Test]
    public async Task Needs_a_piece_length_when_the_length_cannot_be_known()
    {
        var act = () => TorrentBuilder.BuildAsync(new TrickleStream(new byte[100], 1000), new TorrentBuildOptions { Name = "a" });

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*piece length must be given*");
    }

    [TestCase(TorrentVersion.Hybrid)]
    [TestCase(TorrentVersion.V1)]
    [TestCase(TorrentVersion.V2)]
    public async Task Refuses_an_empty_file(TorrentVersion version)
    {
        // A zero-byte file has no v2 pieces root and no pieces at all; libtorrent refuses such torrents.
        var act = () => TorrentBuilder.BuildAsync(new MemoryStream(), new TorrentBuildOptions { Name = "a", PieceLength = 16384, Version = version });

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*empty*");
    }

    [TestCase("")]
    [TestCase(".")]
    [TestCase("..")]
    [TestCase("dir/file")]
    [TestCase("dir\\file")]
    [TestCase("nul\0")]
    public async Task Refuses_a_name_that_is_not_one_path_component(string name)
    {
        var act = () => TorrentBuilder.BuildAsync(new MemoryStream(new byte[1]), new TorrentBuildOptions { Name = name, PieceLength = 16384 });

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*name*");
    }

    [TestCase(0)]
    [TestCase(8192)]
    [TestCase(16385)]
    [TestCase(3 * 16384)]
    [TestCase(128 << 20)]
    public async Task Refuses_a_piece_length_that_is_not_a_power_of_two_in_range(int pieceLength)
    {
        var act = () => TorrentBuilder.BuildAsync(new MemoryStream(new byte[1]), new TorrentBuildOptions { Name = "a", PieceLength = pieceLength });

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*power of two*");
    }

    [Test]
    public async Task Refuses_extra_trackers_without_an_announce_url()
    {
        var act = () => TorrentBuilder.BuildAsync(new MemoryStream(new byte[1]), new TorrentBuildOptions
        {
            Name = "a",
            PieceLength = 16384,
            Trackers = [new Uri("http://tracker.example/announce")],
        });

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*announce URL*");
    }

    [Test]
    public async Task Refuses_a_relative_url()
    {
        var act = () => TorrentBuilder.BuildAsync(new MemoryStream(new byte[1]), new TorrentBuildOptions
        {
            Name = "a",
            PieceLength = 16384,
            WebSeeds = [new Uri("media/a.webm", UriKind.Relative)],
        });

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*not an absolute URL*");
    }

    [Test]
    public async Task Stops_when_cancelled()
    {
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        var act = () => TorrentBuilder.BuildAsync(new TrickleStream(new byte[1 << 20], 4096), new TorrentBuildOptions { Name = "a", PieceLength = 16384 }, cancellation.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    [TestCase(TorrentVersion.Hybrid, 1)]
    [TestCase(TorrentVersion.Hybrid, 16384)]
    [TestCase(TorrentVersion.Hybrid, 65536)]
    [TestCase(TorrentVersion.Hybrid, 65537)]
    [TestCase(TorrentVersion.Hybrid, (3 << 20) + 17)]
    [TestCase(TorrentVersion.V1, 65537)]
    [TestCase(TorrentVersion.V2, 65537)]
    [TestCase(TorrentVersion.V2, 100)]
    public async Task Output_parses_back_with_the_same_hashes_and_fields(TorrentVersion version, int size)
    {
        var result = await TorrentBuilder.BuildAsync(new MemoryStream(TorrentTestData.Content(size)), new TorrentBuildOptions
        {
            Name = "clip.mp4",
            PieceLength = 16384,
            Version = version,
            Announce = new Uri("http://127.0.0.1:6969/announce"),
            Trackers = [new Uri("udp://127.0.0.1:6969")],
            WebSeeds = [new Uri("https://media.example/clip.mp4")],
            IsPrivate = true,
        });

        TorrentMetainfo.TryParse(result.Metainfo.Span, out var torrent, out var error).Should().BeTrue(error);
        torrent!.Version.Should().Be(version);
        torrent.InfoHashV1.Should().Be(result.InfoHashV1);
        torrent.InfoHashV2Full.Should().Be(result.InfoHashV2Full);
        torrent.InfoHashV2.Should().Be(result.InfoHashV2);
        torrent.Name.Should().Be("clip.mp4");
        torrent.TotalLength.Should().Be(size);
        torrent.PieceLength.Should().Be(16384);
        torrent.PieceCount.Should().Be(result.PieceCount);
        torrent.FileCount.Should().Be(1);
        torrent.IsPrivate.Should().BeTrue();
        torrent.Announce.Should().Be("http://127.0.0.1:6969/announce");
        torrent.AnnounceList.Should().BeEquivalentTo(new[] { new[] { "http://127.0.0.1:6969/announce" }, ["udp://127.0.0.1:6969"] }, o => o.WithStrictOrdering());
        torrent.UrlList.Should().Equal("https://media.example/clip.mp4");
    }
}
