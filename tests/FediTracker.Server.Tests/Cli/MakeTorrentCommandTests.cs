using FediTracker.Protocol.Torrents;
using FediTracker.Server.Cli;

namespace FediTracker.Server.Tests.Cli;

/// <summary>The <c>make-torrent</c> verb: arguments, exit codes and messages. Real clients read its output in the end-to-end tests.</summary>
[TestFixture]
public sealed class MakeTorrentCommandTests
{
    private const string Announce = "http://127.0.0.1:6969/announce";

    private string _directory = null!;
    private string _file = null!;

    [SetUp]
    public void CreateFile()
    {
        _directory = Directory.CreateTempSubdirectory("feditracker-cli-").FullName;
        _file = Path.Combine(_directory, "clip.webm");
        File.WriteAllBytes(_file, new byte[100_000]);
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task Writes_a_hybrid_torrent_and_prints_its_hashes_and_magnet_link()
    {
        var output = Path.Combine(_directory, "out.torrent");

        var (exitCode, printed, errors) = await RunAsync(_file, "--announce", Announce, "--web-seed", "https://media.example/clip.webm", "--tracker=udp://127.0.0.1:6969", "--private", "-o", output);

        exitCode.Should().Be(0, errors);
        errors.Should().BeEmpty();
        TorrentMetainfo.TryParse(File.ReadAllBytes(output), out var torrent, out var problem).Should().BeTrue(problem);
        torrent!.Version.Should().Be(TorrentVersion.Hybrid);
        torrent.Name.Should().Be("clip.webm");
        torrent.IsPrivate.Should().BeTrue();
        torrent.UrlList.Should().Equal("https://media.example/clip.webm");
        torrent.AnnounceList.Should().HaveCount(2);
        printed.Should().Contain($"info-hash v1:        {torrent.InfoHashV1}")
            .And.Contain($"info-hash v2:        {torrent.InfoHashV2Full}")
            .And.Contain($"info-hash v2 (20 B): {torrent.InfoHashV2}")
            .And.Contain($"magnet:             {MagnetLink.Create(torrent)}");
    }

    [Test]
    [NonParallelizable] // changes the process's current directory
    public async Task Names_the_output_after_the_torrent_when_no_path_is_given()
    {
        var previous = Environment.CurrentDirectory;
        try
        {
            Environment.CurrentDirectory = _directory;
            var (exitCode, _, errors) = await RunAsync(_file, "--announce", Announce, "--name", "renamed.webm", "--v1-only", "--piece-length", "32K");

            exitCode.Should().Be(0, errors);
            TorrentMetainfo.TryParse(File.ReadAllBytes(Path.Combine(_directory, "renamed.webm.torrent")), out var torrent, out _).Should().BeTrue();
            torrent!.Version.Should().Be(TorrentVersion.V1);
            torrent.PieceLength.Should().Be(32768);
        }
        finally
        {
            Environment.CurrentDirectory = previous;
        }
    }

    [Test]
    public async Task No_date_gives_the_same_bytes_twice()
    {
        var first = Path.Combine(_directory, "1.torrent");
        var second = Path.Combine(_directory, "2.torrent");

        (await RunAsync(_file, "--announce", Announce, "--no-date", "-o", first)).ExitCode.Should().Be(0);
        (await RunAsync(_file, "--announce", Announce, "--no-date", "--output", second)).ExitCode.Should().Be(0);

        File.ReadAllBytes(first).Should().Equal(File.ReadAllBytes(second));
    }

    [Test]
    public async Task Help_prints_the_usage_and_exits_0()
    {
        var (exitCode, printed, _) = await RunAsync("--help");

        exitCode.Should().Be(0);
        printed.Should().Contain("Usage: FediTracker.Server make-torrent <file> --announce <url>");
    }

    [TestCase(new string[0], "no file given")]
    [TestCase(new[] { "FILE" }, "'--announce <url>' is required")]
    [TestCase(new[] { "FILE", "--announce" }, "'--announce' needs a value")] // followed by -o
    [TestCase(new[] { "FILE", "--announce", "--private" }, "'--announce' needs a value")]
    [TestCase(new[] { "FILE", "--announce", "tracker.example" }, "needs an absolute http, https or udp URL")]
    [TestCase(new[] { "FILE", "--announce", Announce, "--announce", Announce }, "can be given once")]
    [TestCase(new[] { "FILE", "--announce", Announce, "--web-seed", "udp://x:1/" }, "'--web-seed' needs an absolute http or https URL")]
    [TestCase(new[] { "FILE", "--announce", Announce, "--piece-length", "1000" }, "power of two")]
    [TestCase(new[] { "FILE", "--announce", Announce, "--piece-length", "8K" }, "power of two")]
    [TestCase(new[] { "FILE", "--announce", Announce, "--piece-length", "128M" }, "power of two")]
    [TestCase(new[] { "FILE", "--announce", Announce, "--piece-length", "-16384" }, "power of two")]
    [TestCase(new[] { "FILE", "--announce", Announce, "--v1-only", "--v2-only" }, "cannot be used together")]
    [TestCase(new[] { "FILE", "--announce", Announce, "--private=yes" }, "takes no value")]
    [TestCase(new[] { "FILE", "--announce", Announce, "--frobnicate" }, "unknown option '--frobnicate'")]
    [TestCase(new[] { "FILE", "FILE", "--announce", Announce }, "only one file")]
    [TestCase(new[] { "FILE", "--announce", Announce, "--name", "a/b" }, "name must be one non-empty path component")]
    [TestCase(new[] { "FILE", "--announce", Announce, "--name", "" }, "'--name' cannot be empty")]
    [TestCase(new[] { "missing.webm", "--announce", Announce }, "does not exist")]
    [TestCase(new[] { "DIRECTORY", "--announce", Announce }, "is a directory")]
    [TestCase(new[] { "EMPTY", "--announce", Announce }, "content is empty")]
    public async Task Usage_errors_exit_with_2_and_say_what_is_wrong(string[] args, string message)
    {
        var empty = Path.Combine(_directory, "empty.webm");
        await File.WriteAllBytesAsync(empty, []);
        var resolved = args.Select(a => a switch
        {
            "FILE" => _file,
            "EMPTY" => empty,
            "DIRECTORY" => _directory,
            "missing.webm" => Path.Combine(_directory, a),
            _ => a,
        }).ToArray();

        var (exitCode, printed, errors) = await RunAsync([.. resolved, "-o", Path.Combine(_directory, "out.torrent")]);

        exitCode.Should().Be(2);
        printed.Should().BeEmpty();
        errors.Should().StartWith("make-torrent: ").And.Contain(message).And.NotContain("(Parameter");
        File.Exists(Path.Combine(_directory, "out.torrent")).Should().BeFalse();
    }

    [Test]
    public async Task Warns_that_libtorrent_cannot_web_seed_a_v2_only_torrent()
    {
        var (exitCode, _, errors) = await RunAsync(_file, "--announce", Announce, "--v2-only", "--web-seed", "https://media.example/clip.webm", "-o", Path.Combine(_directory, "out.torrent"));

        exitCode.Should().Be(0);
        errors.Should().Contain("warning: libtorrent 2.0 cannot use web seeds of a v2-only torrent");
    }

    [Test]
    public async Task An_unwritable_output_exits_with_1()
    {
        var (exitCode, _, errors) = await RunAsync(_file, "--announce", Announce, "-o", Path.Combine(_directory, "no-such-directory", "out.torrent"));

        exitCode.Should().Be(1);
        errors.Should().Contain("cannot write");
    }

    private static async Task<(int ExitCode, string Output, string Errors)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await MakeTorrentCommand.RunAsync(args, output, error, CancellationToken.None);
        return (exitCode, output.ToString(), error.ToString());
    }
}
