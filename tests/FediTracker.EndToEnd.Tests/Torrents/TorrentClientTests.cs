using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using FediTracker.Protocol.Torrents;

namespace FediTracker.EndToEnd.Tests.Torrents;

/// <summary>
/// Torrents made by <c>make-torrent</c> as real BitTorrent tools see them: Transmission's transmission-show (v1 only:
/// Transmission 3.00 cannot parse any v2 or hybrid torrent, not even libtorrent's, because its bencode decoder rejects
/// the empty dictionary key BEP 52 uses; fixed in Transmission 4), libtorrent's torrent_info, libtorrent's own torrent
/// creator, and mktorrent.
/// </summary>
[TestFixture]
public sealed partial class TorrentClientTests
{
    private const string TransmissionShow = "/usr/bin/transmission-show";
    private const string Mktorrent = "/usr/bin/mktorrent";
    private const string Announce = "http://127.0.0.1:6969/announce";
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(60);

    private string _directory = null!;

    private static string ToolScript => Path.Combine(AppContext.BaseDirectory, "clients", "torrent_tool.py");

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("feditracker-torrents-").FullName;

    [TearDown]
    public void DeleteDirectory()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Passed)
        {
            Directory.Delete(_directory, recursive: true);
        }
        else
        {
            TestContext.Out.WriteLine($"Kept for diagnosis: {_directory}");
        }
    }

    [TestCase(1, "16K")]
    [TestCase(16384, "16K")]
    [TestCase(65537, "32K")]
    [TestCase((5 * 1024 * 1024) + 321, null)]
    public async Task Transmission_show_reads_a_v1_torrent_with_our_info_hash(int size, string? pieceLength)
    {
        ExternalTool.Require(TransmissionShow, "transmission-cli");
        var file = TorrentFiles.WriteContent(_directory, "clip.webm", size);
        var torrentPath = Path.Combine(_directory, "clip.torrent");
        string[] options = ["--announce", Announce, "--v1-only", "--private", "--web-seed", "https://media.example/clip.webm", .. PieceLengthOption(pieceLength)];
        var (torrent, printed) = await TorrentFiles.MakeAsync(file, torrentPath, options);

        var shown = await ExternalTool.RunAsync(TransmissionShow, [torrentPath], ToolTimeout, CancellationToken.None);

        shown.ExitCode.Should().Be(0, shown.ToString());
        var hash = HashLine().Match(shown.Output);
        hash.Success.Should().BeTrue(shown.ToString());
        hash.Groups[1].Value.Should().Be(torrent.InfoHashV1!.Value.ToHex());
        printed.Should().Contain(hash.Groups[1].Value, "make-torrent prints the v1 info-hash");
        shown.Output.Should().Contain("Name: clip.webm").And.Contain("Private torrent").And.Contain(Announce).And.Contain("https://media.example/clip.webm");
        shown.Output.Should().Contain(string.Create(CultureInfo.InvariantCulture, $"Piece Count: {torrent.PieceCount}"));
    }

    [TestCase("hybrid", 1, "16K")]
    [TestCase("hybrid", 16384, "16K")]
    [TestCase("hybrid", 16385, "16K")]
    [TestCase("hybrid", 65536, "64K")]
    [TestCase("hybrid", (3 * 1024 * 1024) + 7, "1M")]
    [TestCase("hybrid", (5 * 1024 * 1024) + 321, null)]
    [TestCase("v1", 65537, "16K")]
    [TestCase("v2", 65537, "16K")]
    [TestCase("v2", 100, "64K")]
    public async Task Libtorrent_loads_our_torrent_and_computes_the_same_hashes(string version, int size, string? pieceLength)
    {
        await Python.RequireLibtorrentAsync();
        var file = TorrentFiles.WriteContent(_directory, "clip.webm", size);
        var torrentPath = Path.Combine(_directory, "clip.torrent");
        string[] options =
        [
            "--announce", Announce, "--tracker", "udp://127.0.0.1:6969", "--web-seed", "https://media.example/clip.webm",
            "--private", .. VersionOption(version), .. PieceLengthOption(pieceLength),
        ];
        var (torrent, printed) = await TorrentFiles.MakeAsync(file, torrentPath, options);

        var run = await ExternalTool.RunPythonAsync([ToolScript, "info", torrentPath], ToolTimeout, CancellationToken.None);

        run.ExitCode.Should().Be(0, run.ToString());
        var seen = JsonDocument.Parse(run.Output).RootElement;
        seen.GetProperty("v1").GetString().Should().Be(torrent.InfoHashV1?.ToHex());
        seen.GetProperty("v2").GetString().Should().Be(torrent.InfoHashV2Full?.ToHex());
        seen.GetProperty("name").GetString().Should().Be("clip.webm");
        seen.GetProperty("content_size").GetInt64().Should().Be(size);
        seen.GetProperty("piece_length").GetInt64().Should().Be(torrent.PieceLength);
        seen.GetProperty("num_pieces").GetInt64().Should().Be(torrent.PieceCount);
        seen.GetProperty("private").GetBoolean().Should().BeTrue();
        // libtorrent 2.0 gives a v2-only file a tail padding file, then takes the torrent for a multi-file one and
        // reads the web seed as a directory URL (appends '/'); hybrid and v1 torrents keep the file URL.
        seen.GetProperty("web_seeds").EnumerateArray().Select(e => e.GetString())
            .Should().Equal(version == "v2" && size % torrent.PieceLength != 0 ? "https://media.example/clip.webm/" : "https://media.example/clip.webm");
        seen.GetProperty("trackers").EnumerateArray().Select(e => $"{e[1].GetInt32()} {e[0].GetString()}")
            .Should().Equal($"0 {Announce}", "1 udp://127.0.0.1:6969");
        foreach (var hash in new[] { torrent.InfoHashV1?.ToHex(), torrent.InfoHashV2Full?.ToHex() })
        {
            if (hash is not null)
            {
                printed.Should().Contain(hash);
            }
        }
    }

    [TestCase("hybrid", 1, 16384)]
    [TestCase("hybrid", 40000, 65536)]
    [TestCase("hybrid", (2 * 1024 * 1024) + 1, 16384)]
    [TestCase("hybrid", (5 * 1024 * 1024) + 321, 4 * 1024 * 1024)]
    [TestCase("v1", (2 * 1024 * 1024) + 1, 32768)]
    [TestCase("v2", (2 * 1024 * 1024) + 1, 32768)]
    public async Task Libtorrent_s_own_creator_gives_the_same_info_hashes_for_the_same_file(string version, int size, int pieceLength)
    {
        await Python.RequireLibtorrentAsync();
        var file = TorrentFiles.WriteContent(_directory, "clip.webm", size);
        var (torrent, _) = await TorrentFiles.MakeAsync(
            file, Path.Combine(_directory, "clip.torrent"),
            ["--announce", Announce, "--no-date", "--piece-length", pieceLength.ToString(CultureInfo.InvariantCulture), .. VersionOption(version)]);

        var run = await ExternalTool.RunPythonAsync(
            [ToolScript, "create", file, pieceLength.ToString(CultureInfo.InvariantCulture), version], ToolTimeout, CancellationToken.None);

        run.ExitCode.Should().Be(0, run.ToString());
        var made = JsonDocument.Parse(run.Output).RootElement;
        torrent.InfoHashV1?.ToHex().Should().Be(made.GetProperty("v1").GetString());
        torrent.InfoHashV2Full?.ToHex().Should().Be(made.GetProperty("v2").GetString());
        (torrent.InfoHashV1 is null).Should().Be(made.GetProperty("v1").ValueKind == JsonValueKind.Null);
        (torrent.InfoHashV2Full is null).Should().Be(made.GetProperty("v2").ValueKind == JsonValueKind.Null);
    }

    [TestCase(1, 15, false)] // mktorrent takes exponents 15 to 28
    [TestCase(262144, 18, false)]
    [TestCase(262145, 18, true)]
    [TestCase((3 * 1024 * 1024) + 99, 16, true)]
    [TestCase((3 * 1024 * 1024) + 99, 20, false)]
    public async Task Mktorrent_gives_the_same_v1_info_hash_for_the_same_file(int size, int pieceLengthExponent, bool isPrivate)
    {
        ExternalTool.Require(Mktorrent, "mktorrent");
        var file = TorrentFiles.WriteContent(_directory, "clip.webm", size);
        var theirs = Path.Combine(_directory, "mktorrent.torrent");
        List<string> mktorrentArguments = ["-l", pieceLengthExponent.ToString(CultureInfo.InvariantCulture), "-n", "clip.webm", "-a", Announce, "-o", theirs];
        string[] ourOptions = ["--v1-only", "--piece-length", (1 << pieceLengthExponent).ToString(CultureInfo.InvariantCulture), "--name", "clip.webm", "--announce", Announce];
        if (isPrivate)
        {
            mktorrentArguments.Add("-p");
            ourOptions = [.. ourOptions, "--private"];
        }

        // mktorrent's 'created by' and 'creation date' are outside the info dictionary: only the info-hash must match.
        var run = await ExternalTool.RunAsync(Mktorrent, [.. mktorrentArguments, file], ToolTimeout, CancellationToken.None);
        run.ExitCode.Should().Be(0, run.ToString());
        var (ours, _) = await TorrentFiles.MakeAsync(file, Path.Combine(_directory, "ours.torrent"), ourOptions);

        var mktorrents = TorrentFiles.Parse(theirs);
        mktorrents.Version.Should().Be(TorrentVersion.V1);
        ours.InfoHashV1.Should().Be(mktorrents.InfoHashV1);
        ours.IsPrivate.Should().Be(isPrivate);
    }

    private static string[] PieceLengthOption(string? pieceLength) => pieceLength is null ? [] : ["--piece-length", pieceLength];

    private static string[] VersionOption(string version) => version switch
    {
        "v1" => ["--v1-only"],
        "v2" => ["--v2-only"],
        _ => [],
    };

    [GeneratedRegex(@"^\s*Hash:\s*([0-9a-f]{40})\s*$", RegexOptions.Multiline)]
    private static partial Regex HashLine();
}
