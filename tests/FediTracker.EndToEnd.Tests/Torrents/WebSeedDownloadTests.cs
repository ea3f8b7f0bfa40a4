using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FediTracker.EndToEnd.Tests.Torrents;

/// <summary>
/// The shape FediTracker is for: a torrent whose web seed (BEP 19) is the media's own HTTP URL. libtorrent, with no
/// tracker, DHT, local discovery or peer exchange, downloads the whole file from a loopback HTTP server (Kestrel,
/// range requests on) and its copy must be the file byte for byte.
/// </summary>
[TestFixture]
public sealed class WebSeedDownloadTests
{
    private const int TestTimeoutMs = 150_000;
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan HardTimeout = ScriptTimeout + TimeSpan.FromSeconds(30);

    private string _directory = null!;
    private string _mediaDirectory = null!;
    private WebApplication _server = null!;
    private Uri _baseUri = null!;
    private int _rangeRequests;

    private static string ToolScript => Path.Combine(AppContext.BaseDirectory, "clients", "torrent_tool.py");

    [OneTimeSetUp]
    public Task RequireLibtorrentAsync() => Python.RequireLibtorrentAsync();

    [SetUp]
    public async Task StartServerAsync()
    {
        _directory = Directory.CreateTempSubdirectory("feditracker-webseed-").FullName;
        _mediaDirectory = Directory.CreateDirectory(Path.Combine(_directory, "media")).FullName;
        _rangeRequests = 0;

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        _server = builder.Build();
        _server.MapGet("/media/{name}", (string name, HttpRequest request) =>
        {
            if (request.Headers.Range.Count > 0)
            {
                Interlocked.Increment(ref _rangeRequests);
            }

            var path = Path.Combine(_mediaDirectory, Path.GetFileName(name));
            return File.Exists(path) ? Results.File(path, "video/webm", enableRangeProcessing: true) : Results.NotFound();
        });
        await _server.StartAsync();
        var address = _server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _baseUri = new Uri(address);
    }

    [TearDown]
    public async Task StopServerAsync()
    {
        if (_server is not null)
        {
            await _server.StopAsync();
            await _server.DisposeAsync();
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

    [TestCase("hybrid", (3 * 1024 * 1024) + 12_345, null)]
    [TestCase("hybrid", 1000, "16K")]
    [TestCase("v1", (2 * 1024 * 1024) + 1, "64K")]
    [CancelAfter(TestTimeoutMs)]
    public async Task Libtorrent_downloads_the_whole_file_from_the_web_seed_alone(string version, int size, string? pieceLength)
    {
        var file = TorrentFiles.WriteContent(_mediaDirectory, "clip.webm", size);
        var torrentPath = Path.Combine(_directory, "clip.torrent");
        var seed = new Uri(_baseUri, "/media/clip.webm");
        string[] options =
        [
            "--announce", "http://127.0.0.1:9/announce", // never contacted: the script drops the trackers
            "--web-seed", seed.AbsoluteUri,
            .. version switch { "v1" => ["--v1-only"], "v2" => ["--v2-only"], _ => Array.Empty<string>() },
            .. pieceLength is null ? [] : new[] { "--piece-length", pieceLength },
        ];
        await TorrentFiles.MakeAsync(file, torrentPath, options);
        var saveDirectory = Directory.CreateDirectory(Path.Combine(_directory, "download")).FullName;

        var run = await ExternalTool.RunPythonAsync(
            [ToolScript, "webseed-download", torrentPath, saveDirectory, ScriptTimeout.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            HardTimeout,
            TestContext.CurrentContext.CancellationToken);

        run.ExitCode.Should().Be(0, run.ToString());
        var finished = JsonDocument.Parse(run.Output).RootElement;
        finished.GetProperty("total_wanted").GetInt64().Should().Be(size);
        finished.GetProperty("non_web_peers").GetInt32().Should().Be(0, "the web seed must be the only source");
        _rangeRequests.Should().BePositive("libtorrent fetches pieces from a web seed with range requests");
        var copy = await File.ReadAllBytesAsync(Path.Combine(saveDirectory, "clip.webm"));
        copy.Should().Equal(await File.ReadAllBytesAsync(file));
    }
}
