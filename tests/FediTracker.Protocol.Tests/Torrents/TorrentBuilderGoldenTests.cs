using System.Security.Cryptography;
using FediTracker.Protocol.Torrents;

namespace FediTracker.Protocol.Tests.Torrents;

/// <summary>
/// The builder against an independent reference: <c>reference_torrent.py</c> beside this file builds the same
/// torrents with only hashlib and a tiny bencoder, straight from the BEP texts (its output for a few cases was also
/// checked against libtorrent's own torrent creator). The expected values below are its output; the content of an
/// N-byte case is byte i = i % 251, the name "media.webm".
/// </summary>
[TestFixture]
public sealed class TorrentBuilderGoldenTests
{
    [TestCase(1, 16384, TorrentVersion.Hybrid, "fb669d4677c6e0407bbea01025ba225eb99eefcd", "25c4ee9b449fcf54569632f015da024ce9d3095638b7d585f8ad9a3b230888d0", "e6f2573625c37dd77f15e0e50d332374a1441a8ae155a2f9d5865fb5f795a614")]
    [TestCase(16383, 16384, TorrentVersion.Hybrid, "f66463f8728cfea6e657728f00da8d15fdce0c53", "f6a0966c10ddc5caffc4b50819c3bc5fb1ab83d4f875b104af48492d8cf1a5aa", "ddcf5a99926676f7fa361893f6f4e5bc30873d78cb6adc086a308d4ec4f84d17")]
    [TestCase(16384, 16384, TorrentVersion.Hybrid, "9df33b334e80347e2e40e7e4d5836e65882602de", "1a4bfe831da4114257fa68f3144bd0721f8b93dddb6c18f26095ebd9d7b101fc", "10900d8e6c20520ced03a4b452953baaccb17c83999f728bc871bcce9dd34b52")]
    [TestCase(16385, 16384, TorrentVersion.Hybrid, "909043d804432257b5745e3a41b8268f85f7db2e", "3b2465f2dbed558eae2b6aa91a9329fc0825fcf75048560d24997743e9e93297", "db8a19a1ad24ac797064f57cd2a3754c4d000aecfd84a5758c19e3a3716841b5")]
    [TestCase(16385, 32768, TorrentVersion.Hybrid, "f443714310802830156641b815f51c32e51f4584", "52d83b06a18ecd2178ac331b68348be805dbb7e61e81fa32bd6416fe9b525f20", "20db262ba9fa9918d69d6ec5dad0fbbe5a9adc4011b79001be58e8800b7cba9a")]
    [TestCase(40000, 65536, TorrentVersion.Hybrid, "2472cd5b17f48249942ae12b88dc4f575bd73755", "d20f6efc30194a50d4e1361db5deeb317e80be25eaa069b5f336be1a319455e7", "c24ef6eae82b7d139137e89879de2a5bb330ec846c9ee68098b7878c01069ff1")]
    [TestCase(65535, 65536, TorrentVersion.Hybrid, "bfde7c3807bffbc3554df88a62d6ede69875dbb7", "fc868b0dfdfd4994459195f347a760ce27aea876790764d420f7dbb835a86690", "fe8a9eaaed409d6ae1c45c57810f3c07bf361f86a4f2223b4d27e8f5dcc4e517")]
    [TestCase(65536, 65536, TorrentVersion.Hybrid, "4d6fedb7f200fe0d46266cd1b56654b739f6cb96", "92170789bebda6301c58fed83190d42f2520098eb92c60d6f1f757e2800ff388", "004556cc93022c4d0264e4b43e9e9d3b11d851802867d4fbcd6e1370ca76bed8")]
    [TestCase(65537, 65536, TorrentVersion.Hybrid, "d9b83a435e52fdbb31be4b952e47f54ccaaa9637", "ea786707b73bad14d039dcc267fa1e20174e79ff129bf8bc10d00353cf834c82", "2ee228ef810cc83e1ccdb2354bc4aec1d6d81eb249364bd8fcdda7d0ef4c883e")]
    [TestCase(196613, 65536, TorrentVersion.Hybrid, "aa0fab79441fba75c8c8b1b5080a9a60d07efbd4", "776da6c074602d21936c11d58f094d76fc7adc98aa470c780160cea28015f620", "eb28086094aae0672a91bf2beb1342cb51e162e62d5f2cc65cdd5bca1a3ec16a")]
    [TestCase(1048577, 1048576, TorrentVersion.Hybrid, "0e85a0aed7825db81fed7a3e40ab39534a6c74a5", "24532544a80dc89e4db5852863f8ee369d1f04d3c44c8ba3684f53eff70d1734", "878cad129b61b9d9dbe10239b0d1f38beba8ca3ee78693a25a08423077de9009")]
    [TestCase(5243003, 65536, TorrentVersion.Hybrid, "532d1b2694cc6b5813b16453b57ae2f2439cd6b5", "d47283bf75c259bedc46bfb69b476f1dc7e77f774917a2f886025141bafbf16e", "5e6e9af6f9483655958be0c3b23b93f8ae3e62e925d765b59e2ab64dfdedc84c")]
    [TestCase(5243003, 2097152, TorrentVersion.Hybrid, "dce360c23eefd865fe8969fea95d0ba26fe3bc5c", "2a058965819c277704c58c7facb93b3524a86d78b3dca5fc73797ee2c0c4fadd", "6874e27e62d7af0f7a3154096bdc1b89fd4acd08fb1c0b8b98585161a1aeab8b")]
    [TestCase(4194304, 4194304, TorrentVersion.Hybrid, "56dacd69237d6161b8734a4e03a6816509f34094", "3ffdc1a5d35412a7e0980c61534b9d14d08663fe5c60add99a17f00a8b0b1578", "4f5a4361c9688b02359cd0321b0bb6eacf4ba459b2e07e7f3e91ca413f3028b2")]
    [TestCase(196613, 65536, TorrentVersion.V1, "de2ef78d4ac7178d723db078efefbe6e9b23055f", null, "9b84e2667f34d3d268cab80bbfc486b028671eeef61a7f0c3bb61bde7ef79c95")]
    [TestCase(196613, 65536, TorrentVersion.V2, null, "5933e9b8fbd7ce9cf41344a414a8d97dd29cdd3404cb5bae09057e6ff211abda", "b605757136ff26bfcff8c20c4064081eaefb9786478671144c0a104808546434")]
    [TestCase(40000, 65536, TorrentVersion.V2, null, "0c31acb4a2284a315f12bfa25c0b3b50d8ded73e6f47c3e7a079d87653bfc392", "e425a7e370f189dae2e308fc2fbc5bdc1d39b6a41370948beec0689eaa037ffe")]
    [TestCase(5243003, 65536, TorrentVersion.V1, "f659ddb218f02e57a4716c3f1564be4c38c18c5d", null, "0918df47db72fcb8224004e9a0c3886ddbabfc89545b557aafbec85dcfa25665")]
    [TestCase(5243003, 65536, TorrentVersion.V2, null, "c213ac1a00e059583c69c57da340ba625a995926e6e78cbdc27d16a2254d0395", "871daa148c9e93273bc6625089ce7486fbf1c71d7a786e3f403f024f24409ede")]
    public async Task Matches_the_reference(int size, int pieceLength, TorrentVersion version, string? v1, string? v2, string wholeFileSha256)
    {
        var result = await TorrentBuilder.BuildAsync(new MemoryStream(TorrentTestData.Content(size)), new TorrentBuildOptions
        {
            Name = "media.webm",
            PieceLength = pieceLength,
            Version = version,
        });

        result.InfoHashV1?.ToHex().Should().Be(v1);
        result.InfoHashV2Full?.ToHex().Should().Be(v2);
        (result.InfoHashV1 is null).Should().Be(v1 is null);
        (result.InfoHashV2Full is null).Should().Be(v2 is null);
        if (v2 is not null)
        {
            result.InfoHashV2!.Value.ToHex().Should().Be(v2[..40], "BEP 52 truncates the v2 hash to its first 20 bytes");
        }

        Convert.ToHexStringLower(SHA256.HashData(result.Metainfo.Span)).Should().Be(wholeFileSha256, "the whole .torrent, piece layers included, must match byte for byte");
        result.Length.Should().Be(size);
        result.PieceLength.Should().Be(pieceLength);
        result.PieceCount.Should().Be((size + pieceLength - 1) / pieceLength);
        result.Version.Should().Be(version);
    }

    [TestCase(5 * 1048576 + 123, 65536)]
    [TestCase(5 * 1048576 + 123, 2097152)]
    [TestCase(65537, 65536)]
    public async Task Gives_the_same_bytes_whatever_the_stream_returns_per_read_and_whether_it_can_seek(int size, int pieceLength)
    {
        var options = new TorrentBuildOptions { Name = "media.webm", PieceLength = pieceLength };
        var content = TorrentTestData.Content(size);
        var expected = await TorrentBuilder.BuildAsync(new MemoryStream(content), options);

        var trickled = await TorrentBuilder.BuildAsync(new TrickleStream(content, maxRead: 7919), options);
        var serial = await TorrentBuilder.BuildAsync(new MemoryStream(content), new TorrentBuildOptions { Name = "media.webm", PieceLength = pieceLength, ParallelHashing = false });

        trickled.Metainfo.ToArray().Should().Equal(expected.Metainfo.ToArray());
        serial.Metainfo.ToArray().Should().Equal(expected.Metainfo.ToArray());
    }

    [Test]
    public async Task Reads_from_the_current_position()
    {
        var content = TorrentTestData.Content(70000);
        var stream = new MemoryStream([.. new byte[5], .. content]) { Position = 5 };
        var options = new TorrentBuildOptions { Name = "media.webm", PieceLength = 16384 };

        var fromOffset = await TorrentBuilder.BuildAsync(stream, options);
        var plain = await TorrentBuilder.BuildAsync(new MemoryStream(content), options);

        fromOffset.Metainfo.ToArray().Should().Equal(plain.Metainfo.ToArray());
    }

    [Test]
    public async Task Writes_every_optional_key_as_the_reference_does()
    {
        // reference_torrent.py, FULL: 100000 bytes, 32 KiB pieces, hybrid.
        var result = await TorrentBuilder.BuildAsync(new MemoryStream(TorrentTestData.Content(100000)), new TorrentBuildOptions
        {
            Name = "media.webm",
            PieceLength = 32768,
            IsPrivate = true,
            Announce = new Uri("http://127.0.0.1:6969/announce"),
            Trackers = [new Uri("udp://tracker.example:1337/announce"), new Uri("http://127.0.0.1:6969/announce"), new Uri("https://other.example/announce")],
            WebSeeds = [new Uri("https://media.example/files/media.webm"), new Uri("https://mirror.example/media.webm")],
            Comment = "a comment",
            CreatedBy = "FediTracker tests",
            CreationDate = DateTimeOffset.FromUnixTimeSeconds(1764460800),
        });

        result.InfoHashV1!.Value.ToHex().Should().Be("a515c8384dc12a26cf479faf44f3a7f3a7b97b8b");
        result.InfoHashV2Full!.Value.ToHex().Should().Be("e048ff3d6951864f912fc76198b6f17c6401de52ae18691aafbbd05580a52ba9");
        Convert.ToHexStringLower(SHA256.HashData(result.Metainfo.Span)).Should().Be("cd641f290c1e383a8ef2ed6a4456294ce4ced3f47e86f7c80d443e85053d6cfb",
            "the announce URL repeated among the extra trackers is written once, in the first tier");
    }

    [Test]
    public async Task Omits_the_creation_date_unless_given_so_the_output_is_reproducible()
    {
        var options = new TorrentBuildOptions { Name = "a", PieceLength = 16384, CreatedBy = "x" };
        var first = await TorrentBuilder.BuildAsync(new MemoryStream(TorrentTestData.Content(10)), options);
        var second = await TorrentBuilder.BuildAsync(new MemoryStream(TorrentTestData.Content(10)), options);

        first.Metainfo.ToArray().Should().Equal(second.Metainfo.ToArray());
        TestText(first).Should().NotContain("creation date");
    }

    private static string TestText(TorrentBuildResult result) => System.Text.Encoding.Latin1.GetString(result.Metainfo.Span);
}
