using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FediTracker.EndToEnd.Tests.Torrents;

/// <summary>
/// The whole origin path: the tracker makes a torrent from a media URL (<c>POST /api/v1/torrents/make</c>, fetching the
/// file from a loopback media server), serves its .torrent on the public port, and libtorrent — with no tracker,
/// DHT or other peer — downloads the file from the media server as web seed, byte for byte.
/// </summary>
[TestFixture]
public sealed class MadeTorrentDownloadTests
{
    private const string AdminToken = "admin-token-0123456789abcdef0123456789";
    private const int TestTimeoutMs = 150_000;
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan HardTimeout = ScriptTimeout + TimeSpan.FromSeconds(30);

    private string _directory = null!;
    private WebApplication _media = null!;
    private Uri _mediaBase = null!;
    private byte[] _content = [];
    private int _rangeRequests;

    private static string ToolScript => Path.Combine(AppContext.BaseDirectory, "clients", "torrent_tool.py");

    [OneTimeSetUp]
    public Task RequireLibtorrentAsync() => Python.RequireLibtorrentAsync();

    [SetUp]
    public async Task StartMediaServerAsync()
    {
        _directory = Directory.CreateTempSubdirectory("feditracker-made-").FullName;
        _rangeRequests = 0;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        _media = builder.Build();
        _media.MapGet("/system/media/{name}", (string name, HttpRequest request) =>
        {
            if (request.Headers.Range.Count > 0)
            {
                Interlocked.Increment(ref _rangeRequests);
            }

            return name == "talk.webm" ? Results.Bytes(_content, "video/webm", enableRangeProcessing: true) : Results.NotFound();
        });
        await _media.StartAsync();
        _mediaBase = new Uri(_media.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
    }

    [TearDown]
    public async Task StopMediaServerAsync()
    {
        if (_media is not null)
        {
            await _media.StopAsync();
            await _media.DisposeAsync();
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

    [TestCase((3 * 1024 * 1024) + 12_345)]
    [TestCase(1000)]
    [CancelAfter(TestTimeoutMs)]
    public async Task Libtorrent_downloads_a_torrent_the_tracker_made_from_the_media_url_alone(int size)
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        _content = new byte[size];
        new Random(size).NextBytes(_content);
        await using var tracker = await TrackerUnderTest.StartAsync(
            ct,
            "--Tracker:AccessMode", "registered",
            "--Admin:Tokens:0:Name", "alice", "--Admin:Tokens:0:Role", "admin", "--Admin:Tokens:0:Token", AdminToken,
            "--Torrents:AnnounceUrls:0", "http://127.0.0.1:9/announce", // never contacted: the script drops the trackers
            "--Torrents:AllowPrivateAddresses", "true");
        var mediaUrl = new Uri(_mediaBase, "/system/media/talk.webm").AbsoluteUri;

        using var admin = new HttpClient { BaseAddress = new Uri($"http://{tracker.Admin}/api/v1/") };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        using var made = await admin.PostAsJsonAsync(new Uri("torrents/make", UriKind.Relative), new { mediaUrl, objectUri = "https://social.example/users/alice/statuses/1" }, ct);
        var record = JsonNode.Parse(await made.Content.ReadAsStringAsync(ct))!;
        made.StatusCode.Should().Be(HttpStatusCode.Created, record.ToJsonString());
        _rangeRequests.Should().Be(0, "the tracker reads the file whole, once");

        using var http = new HttpClient();
        var torrentPath = Path.Combine(_directory, "talk.torrent");
        await File.WriteAllBytesAsync(torrentPath, await http.GetByteArrayAsync(new Uri($"http://{tracker.HttpV4}/torrents/{record["infoHashV1"]!.GetValue<string>()}.torrent"), ct), ct);
        TorrentFiles.Parse(torrentPath).UrlList.Should().Equal(mediaUrl);
        var saveDirectory = Directory.CreateDirectory(Path.Combine(_directory, "download")).FullName;

        var run = await ExternalTool.RunPythonAsync(
            [ToolScript, "webseed-download", torrentPath, saveDirectory, ScriptTimeout.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            HardTimeout,
            ct);

        run.ExitCode.Should().Be(0, run.ToString());
        var finished = JsonDocument.Parse(run.Output).RootElement;
        finished.GetProperty("total_wanted").GetInt64().Should().Be(size);
        finished.GetProperty("non_web_peers").GetInt32().Should().Be(0, "the web seed must be the only source");
        _rangeRequests.Should().BePositive("libtorrent fetches pieces from a web seed with range requests");
        (await File.ReadAllBytesAsync(Path.Combine(saveDirectory, "talk.webm"), ct)).Should().Equal(_content);
    }
}
