using System.Net;
using System.Text.Json.Nodes;
using FediTracker.Protocol.Torrents;
using FediTracker.Storage.Redis.Tests.Infrastructure;

namespace FediTracker.Server.Tests;

/// <summary>
/// Torrents for media over real HTTP: made from a URL through the admin API (the tracker fetches the file from a
/// loopback media server), then served on the public port as .torrent, description, magnet and lookup, and gone
/// (410) once revoked. Every test runs on both shapes.
/// </summary>
public abstract class TorrentsForMediaTests
{
    private const string Announce = "http://tracker.test/announce";
    private const string AnnounceUdp = "udp://tracker.test:6969/announce";
    private const string Extra = "https://other-tracker.example/announce";
    private const string Actor = "https://social.example/users/alice";
    private const string Status = "https://social.example/users/alice/statuses/1";

    private MediaOrigin _origin = null!;

    private protected abstract Task<TestTracker> StartAsync(params string[] extra);

    [OneTimeSetUp]
    public async Task StartOriginAsync() => _origin = await MediaOrigin.StartAsync();

    [OneTimeTearDown]
    public async Task StopOriginAsync() => await _origin.DisposeAsync();

    /// <summary>A registered-mode tracker that knows its announce URLs and may fetch media from loopback.</summary>
    private Task<TestTracker> StartMakingAsync(params string[] extra) => StartAsync(
    [
        .. AdminApiClient.TokenArgs,
        "--Tracker:AccessMode", "registered",
        "--Torrents:AnnounceUrls:0", Announce,
        "--Torrents:AnnounceUrls:1", AnnounceUdp,
        "--Torrents:ExtraTrackers:0", Extra,
        "--Torrents:AllowPrivateAddresses", "true",
        .. extra,
    ]);

    private static HttpClient Public(TestTracker tracker) => new() { BaseAddress = new Uri($"http://{tracker.HttpV4}/") };

    private static async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> GetJsonAsync(HttpClient http, string path)
    {
        var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }

    private static string Unique(string name) => Guid.NewGuid().ToString("N")[..8] + "-" + name;

    [Test]
    public async Task Making_from_an_uploaded_file_gives_the_same_torrent_as_making_from_its_url_and_refuses_oversize_and_empty_bodies()
    {
        await using var tracker = await StartMakingAsync("--Torrents:MaxMediaBytes", "400000");
        using var admin = new AdminApiClient(tracker);
        var name = Unique("talk.webm");
        var content = new byte[250_000];
        Random.Shared.NextBytes(content);
        var mediaUrl = "https://files.social.example/media/" + name;

        using var upload = new ByteArrayContent(content);
        upload.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        using var response = await admin.Http.PostAsync(new Uri($"torrents/make/upload?mediaUrl={Uri.EscapeDataString(mediaUrl)}&objectUri={Uri.EscapeDataString(Status)}&actorUri={Uri.EscapeDataString(Actor)}", UriKind.Relative), upload);
        var made = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        response.StatusCode.Should().Be(HttpStatusCode.Created, made.ToJsonString());
        made["mediaUrl"]!.GetValue<string>().Should().Be(mediaUrl);
        made["length"]!.GetValue<long>().Should().Be(250_000);
        made["name"]!.GetValue<string>().Should().Be(name);

        // The same bytes built locally with the tracker's settings give the same info-hashes.
        var expected = await TorrentBuilder.BuildAsync(new MemoryStream(content), new TorrentBuildOptions
        {
            Name = name,
            Announce = new Uri(Announce),
            Trackers = [new Uri(AnnounceUdp), new Uri(Extra)],
            WebSeeds = [new Uri(mediaUrl)],
            CreatedBy = "FediTracker",
            ContentLength = 250_000,
        }, CancellationToken.None);
        made["infoHashV1"]!.GetValue<string>().Should().Be(expected.InfoHashV1!.Value.ToString());
        made["infoHashV2"]!.GetValue<string>().Should().Be(expected.InfoHashV2!.Value.ToString());

        var file = await new HttpClient().GetByteArrayAsync(new Uri($"http://{tracker.HttpV4}/torrents/{expected.InfoHashV1!.Value}.torrent"));
        TorrentMetainfo.TryParse(file, out var parsed, out var error).Should().BeTrue(error);
        parsed!.UrlList.Should().Equal(mediaUrl);

        // As curl does for large bodies: Expect: 100-continue, so the 413 comes before the body is sent (without it the
        // server's answer races the client's upload and the connection may close under the client).
        using var big = new HttpRequestMessage(HttpMethod.Post, new Uri($"torrents/make/upload?mediaUrl={Uri.EscapeDataString(mediaUrl + ".big")}", UriKind.Relative))
        {
            Content = new ByteArrayContent(new byte[400_001]),
        };
        big.Headers.ExpectContinue = true;
        using var tooLarge = await admin.Http.SendAsync(big);
        tooLarge.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);

        using var empty = new ByteArrayContent([]);
        using var refused = await admin.Http.PostAsync(new Uri($"torrents/make/upload?mediaUrl={Uri.EscapeDataString(mediaUrl + ".empty")}", UriKind.Relative), empty);
        refused.StatusCode.Should().Be(HttpStatusCode.BadRequest);

        using var moderator = new AdminApiClient(tracker, AdminApiClient.ModeratorToken);
        using var again = new ByteArrayContent(content);
        using var forbidden = await moderator.Http.PostAsync(new Uri($"torrents/make/upload?mediaUrl={Uri.EscapeDataString(mediaUrl)}", UriKind.Relative), again);
        forbidden.StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task Making_from_a_url_registers_a_hybrid_torrent_seeded_by_that_url_and_serves_its_file_publicly()
    {
        await using var tracker = await StartMakingAsync();
        using var admin = new AdminApiClient(tracker);
        using var http = Public(tracker);
        var name = Unique("clip.webm");
        var content = _origin.Add(name, 300_000);
        var mediaUrl = _origin.Url("/media/" + name);

        var (status, made) = await admin.PostAsync("torrents/make", new { mediaUrl, objectUri = Status, actorUri = Actor });

        status.Should().Be(HttpStatusCode.Created, made?.ToJsonString());
        var v1 = made!["infoHashV1"]!.GetValue<string>();
        var v2 = made["infoHashV2"]!.GetValue<string>();
        made["name"]!.GetValue<string>().Should().Be(name);
        made["length"]!.GetValue<long>().Should().Be(300_000);
        made["mediaUrl"]!.GetValue<string>().Should().Be(mediaUrl);
        made["objectUri"]!.GetValue<string>().Should().Be(Status);
        made["hasMetainfo"]!.GetValue<bool>().Should().BeTrue();
        made["createdBy"]!.GetValue<string>().Should().Be("alice");

        using var file = await http.GetAsync(new Uri($"torrents/{v1}.torrent", UriKind.Relative));
        file.StatusCode.Should().Be(HttpStatusCode.OK);
        file.Content.Headers.ContentType!.MediaType.Should().Be("application/x-bittorrent");
        file.Headers.ETag.Should().NotBeNull();
        file.Headers.CacheControl!.Public.Should().BeTrue();
        file.Headers.CacheControl.MaxAge.Should().Be(TimeSpan.FromSeconds(300));
        var bytes = await file.Content.ReadAsByteArrayAsync();
        TorrentMetainfo.TryParse(bytes, out var torrent, out var error).Should().BeTrue(error);
        torrent!.Version.Should().Be(TorrentVersion.Hybrid);
        torrent.InfoHashV1!.Value.ToString().Should().Be(v1);
        torrent.InfoHashV2!.Value.ToString().Should().Be(v2);
        torrent.UrlList.Should().Equal(mediaUrl);
        torrent.Announce.Should().Be(Announce);
        torrent.AnnounceList.Select(t => t.Single()).Should().Equal(Announce, AnnounceUdp, Extra);
        torrent.IsPrivate.Should().BeFalse();
        torrent.TotalLength.Should().Be(300_000);
        torrent.Name.Should().Be(name);

        // The pieces are those of the origin's bytes: the same content built here gives the same info-hashes.
        var local = await TorrentBuilder.BuildAsync(new MemoryStream(content), new TorrentBuildOptions { Name = name }, CancellationToken.None);
        local.InfoHashV1!.Value.ToString().Should().Be(v1);
        local.InfoHashV2Full.Should().Be(torrent.InfoHashV2Full);

        using var byV2 = await http.GetAsync(new Uri($"torrents/{v2}.torrent", UriKind.Relative));
        (await byV2.Content.ReadAsByteArrayAsync()).Should().Equal(bytes);
        using var byFullV2 = await http.GetAsync(new Uri($"torrents/{torrent.InfoHashV2Full!.Value.ToHex().ToUpperInvariant()}.torrent", UriKind.Relative));
        byFullV2.StatusCode.Should().Be(HttpStatusCode.OK, "the whole v2 hash, in either case, names it too");

        using var conditional = new HttpRequestMessage(HttpMethod.Get, new Uri($"torrents/{v1}.torrent", UriKind.Relative));
        conditional.Headers.IfNoneMatch.Add(file.Headers.ETag!);
        using var notModified = await http.SendAsync(conditional);
        notModified.StatusCode.Should().Be(HttpStatusCode.NotModified);

        // Registered: both hashes are served by the tracker at once.
        AdminApiClient.Failure(await AdminApiClient.AnnounceAsync(tracker.HttpV4, Convert.FromHexString(v1), 1, 7001, 0)).Should().BeNull();
        AdminApiClient.Failure(await AdminApiClient.AnnounceAsync(tracker.HttpV4, Convert.FromHexString(v2), 1, 7001, 0)).Should().BeNull();

        // Asking again fetches nothing and answers the same record.
        var hits = _origin.Hits("/media/" + name);
        var again = await admin.PostAsync("torrents/make", new { mediaUrl, objectUri = Status, actorUri = Actor });
        again.Status.Should().Be(HttpStatusCode.OK);
        again.Body!["id"]!.GetValue<long>().Should().Be(made["id"]!.GetValue<long>());
        _origin.Hits("/media/" + name).Should().Be(hits);
    }

    [Test]
    public async Task The_description_magnet_and_lookup_give_hashes_links_and_our_trackers()
    {
        await using var tracker = await StartMakingAsync();
        using var admin = new AdminApiClient(tracker);
        using var http = Public(tracker);
        var name = Unique("talk.webm");
        _origin.Add(name, 70_000);
        var mediaUrl = _origin.Url("/media/" + name);
        var made = (await admin.PostAsync("torrents/make", new { mediaUrl, objectUri = Status + name, actorUri = Actor, name = "Talk.webm" })).Body!;
        var v1 = made["infoHashV1"]!.GetValue<string>();
        var v2 = made["infoHashV2"]!.GetValue<string>();

        var (status, described, response) = await GetJsonAsync(http, $"torrents/{v2}");

        status.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        response.Headers.ETag.Should().NotBeNull();
        described!["infoHashV1"]!.GetValue<string>().Should().Be(v1);
        described["infoHashV2"]!.GetValue<string>().Should().Be(v2);
        var v2Full = described["infoHashV2Full"]!.GetValue<string>();
        v2Full.Should().HaveLength(64).And.StartWith(v2);
        described["name"]!.GetValue<string>().Should().Be("Talk.webm");
        described["length"]!.GetValue<long>().Should().Be(70_000);
        described["mediaUrl"]!.GetValue<string>().Should().Be(mediaUrl);
        described["status"]!.GetValue<string>().Should().Be("active");
        described["torrentUrl"]!.GetValue<string>().Should().Be($"http://tracker.test/torrents/{v1}.torrent");
        var magnet = described["magnet"]!.GetValue<string>();
        magnet.Should().StartWith($"magnet:?xt=urn:btih:{v1}&xt=urn:btmh:1220{v2Full}&dn=Talk.webm");
        magnet.Should().Contain("&tr=" + Uri.EscapeDataString(Announce)).And.Contain("&tr=" + Uri.EscapeDataString(AnnounceUdp));
        magnet.Should().NotContain(Uri.EscapeDataString(Extra), "magnet links name this tracker only");
        magnet.Should().EndWith("&ws=" + Uri.EscapeDataString(mediaUrl));

        using var magnetResponse = await http.GetAsync(new Uri($"torrents/{v1}/magnet", UriKind.Relative));
        magnetResponse.Content.Headers.ContentType!.MediaType.Should().Be("text/plain");
        (await magnetResponse.Content.ReadAsStringAsync()).Should().Be(magnet);

        var (lookupStatus, lookedUp, _) = await GetJsonAsync(http, "torrents/lookup?mediaUrl=" + Uri.EscapeDataString(mediaUrl));
        lookupStatus.Should().Be(HttpStatusCode.OK);
        lookedUp!.ToJsonString().Should().Be(described.ToJsonString());
    }

    [Test]
    public async Task A_torrent_registered_by_hash_alone_has_a_magnet_but_no_file()
    {
        await using var tracker = await StartMakingAsync();
        using var admin = new AdminApiClient(tracker);
        using var http = Public(tracker);
        var hash = Convert.ToHexStringLower(TestData.NewHash());
        var mediaUrl = "https://files.social.example/" + Unique("a.mp4");
        (await admin.PostAsync("torrents", new { infoHashV1 = hash, mediaUrl, name = "a.mp4" })).Status.Should().Be(HttpStatusCode.Created);

        var (_, described, _) = await GetJsonAsync(http, $"torrents/{hash}");
        described!["torrentUrl"].Should().BeNull();
        described["infoHashV2Full"].Should().BeNull();
        described["magnet"]!.GetValue<string>().Should().Be(
            $"magnet:?xt=urn:btih:{hash}&dn=a.mp4&tr={Uri.EscapeDataString(Announce)}&tr={Uri.EscapeDataString(AnnounceUdp)}&ws={Uri.EscapeDataString(mediaUrl)}");

        var (fileStatus, problem, _) = await GetJsonAsync(http, $"torrents/{hash}.torrent");
        fileStatus.Should().Be(HttpStatusCode.NotFound);
        problem!["detail"]!.GetValue<string>().Should().Contain("no .torrent file");
    }

    [Test]
    public async Task Unknown_hashes_are_404_and_malformed_input_is_400_problem_json()
    {
        await using var tracker = await StartMakingAsync();
        using var http = Public(tracker);
        var unknown = Convert.ToHexStringLower(TestData.NewHash());

        foreach (var path in new[] { $"torrents/{unknown}.torrent", $"torrents/{unknown}", $"torrents/{unknown}/magnet", "torrents/lookup?mediaUrl=" + Uri.EscapeDataString("https://nowhere.example/x.mp4") })
        {
            var (status, body, response) = await GetJsonAsync(http, path);
            status.Should().Be(HttpStatusCode.NotFound, path);
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json", path);
            body!["status"]!.GetValue<int>().Should().Be(404);
        }

        foreach (var path in new[] { "torrents/xyz.torrent", "torrents/" + new string('g', 40), "torrents/0123/magnet", "torrents/%ff%fe.torrent", "torrents/lookup", "torrents/lookup?mediaUrl=ftp%3A%2F%2Fx", "torrents/lookup?mediaUrl=not%20a%20url" })
        {
            var (status, _, response) = await GetJsonAsync(http, path);
            status.Should().Be(HttpStatusCode.BadRequest, path);
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json", path);
        }

        // Kestrel itself refuses a NUL in the path (400, before any endpoint).
        (await http.GetAsync(new Uri("torrents/%00.torrent", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.BadRequest);

        // Other public paths are still the tracker's (404 without a body), and the public endpoints are not on the admin port.
        (await http.GetAsync(new Uri("nothing-here", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        using var admin = new HttpClient();
        (await admin.GetAsync(new Uri($"http://{tracker.Admin[0]}/torrents/{unknown}"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await admin.GetAsync(new Uri($"http://{tracker.Admin[0]}/.well-known/feditracker"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [TestCase("revocations")]
    [TestCase("suspensions")]
    public async Task A_revoked_or_suspended_torrent_is_410_everywhere_and_its_file_is_no_longer_served(string moderation)
    {
        await using var tracker = await StartMakingAsync();
        using var admin = new AdminApiClient(tracker);
        using var http = Public(tracker);
        var name = Unique("gone.webm");
        _origin.Add(name, 40_000);
        var mediaUrl = _origin.Url("/media/" + name);
        var made = (await admin.PostAsync("torrents/make", new { mediaUrl, objectUri = Status + name, actorUri = Actor })).Body!;
        var v1 = made["infoHashV1"]!.GetValue<string>();
        var v2 = made["infoHashV2"]!.GetValue<string>();
        (await http.GetAsync(new Uri($"torrents/{v1}.torrent", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.OK);

        (await admin.PostAsync(moderation, new { objectUri = Status + name, reason = "deleted by its author" })).Status.Should().Be(HttpStatusCode.Created);

        foreach (var path in new[] { $"torrents/{v1}.torrent", $"torrents/{v2}.torrent", $"torrents/{v1}", $"torrents/{v2}/magnet", "torrents/lookup?mediaUrl=" + Uri.EscapeDataString(mediaUrl) })
        {
            var (status, body, response) = await GetJsonAsync(http, path);
            status.Should().Be(HttpStatusCode.Gone, path);
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json", path);
            body!["title"]!.GetValue<string>().Should().Be("Gone");
            body.ToJsonString().Should().NotContain("deleted by its author", "moderation reasons are not published");
        }

        // A bare hash revoked with no torrent behind it is gone too.
        var bare = Convert.ToHexStringLower(TestData.NewHash());
        (await admin.PostAsync("revocations", new { infoHash = bare, reason = "illegal" })).Status.Should().Be(HttpStatusCode.Created);
        (await GetJsonAsync(http, $"torrents/{bare}.torrent")).Status.Should().Be(HttpStatusCode.Gone);
    }

    [Test]
    public async Task The_discovery_document_says_what_this_tracker_offers()
    {
        await using var tracker = await StartMakingAsync();
        using var http = Public(tracker);

        var (status, document, response) = await GetJsonAsync(http, ".well-known/feditracker");

        status.Should().Be(HttpStatusCode.OK);
        response.Headers.CacheControl!.Public.Should().BeTrue();
        response.Headers.ETag.Should().NotBeNull();
        document!["name"]!.GetValue<string>().Should().Be("FediTracker");
        document["version"]!.GetValue<string>().Should().NotBeNullOrEmpty();
        document["protocols"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal("http", "udp");
        document["announceUrls"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal(Announce, AnnounceUdp);
        document["accessMode"]!.GetValue<string>().Should().Be("registered");
        document["makesTorrents"]!.GetValue<bool>().Should().BeTrue();
        document["endpoints"]!["torrentFile"]!.GetValue<string>().Should().Be("http://tracker.test/torrents/{infoHash}.torrent");
        document["endpoints"]!["torrent"]!.GetValue<string>().Should().Be("http://tracker.test/torrents/{infoHash}");
        document["endpoints"]!["magnet"]!.GetValue<string>().Should().Be("http://tracker.test/torrents/{infoHash}/magnet");
        document["endpoints"]!["lookup"]!.GetValue<string>().Should().Be("http://tracker.test/torrents/lookup?mediaUrl={mediaUrl}");
    }

    [Test]
    public async Task Media_over_the_size_limit_is_413_whether_or_not_its_length_is_declared()
    {
        await using var tracker = await StartMakingAsync("--Torrents:MaxMediaBytes", "50000");
        using var admin = new AdminApiClient(tracker);
        var name = Unique("big.webm");
        _origin.Add(name, 50_001);

        foreach (var path in new[] { "/media/" + name, "/chunked/" + name })
        {
            var (status, problem) = await admin.PostAsync("torrents/make", new { mediaUrl = _origin.Url(path), objectUri = Status + path });
            status.Should().Be(HttpStatusCode.RequestEntityTooLarge, path);
            problem!["detail"]!.GetValue<string>().Should().Contain("Torrents:MaxMediaBytes");
        }

        (await admin.GetAsync("torrents?mediaUrl=" + Uri.EscapeDataString(_origin.Url("/media/" + name)))).Body!["items"]!.AsArray().Should().BeEmpty();

        var small = Unique("small.webm");
        _origin.Add(small, 50_000);
        (await admin.PostAsync("torrents/make", new { mediaUrl = _origin.Url("/chunked/" + small) })).Status.Should().Be(HttpStatusCode.Created, "the limit itself is allowed, and no length is needed");
    }

    [Test]
    public async Task Private_addresses_are_refused_unless_allowed_and_nothing_is_fetched()
    {
        await using var tracker = await StartAsync([.. AdminApiClient.TokenArgs, "--Torrents:AnnounceUrls:0", Announce]);
        using var admin = new AdminApiClient(tracker);
        var name = Unique("local.webm");
        _origin.Add(name, 1000);

        var (status, problem) = await admin.PostAsync("torrents/make", new { mediaUrl = _origin.Url("/media/" + name) });

        status.Should().Be(HttpStatusCode.BadRequest);
        problem!["title"]!.GetValue<string>().Should().Be("Media URL refused");
        problem["detail"]!.GetValue<string>().Should().Contain("Loopback");
        _origin.Hits("/media/" + name).Should().Be(0);
    }

    [Test]
    public async Task Origin_failures_are_502_and_blocked_links_409()
    {
        await using var tracker = await StartMakingAsync();
        using var admin = new AdminApiClient(tracker);

        var (missing, problem) = await admin.PostAsync("torrents/make", new { mediaUrl = _origin.Url("/media/" + Unique("absent.webm")) });
        missing.Should().Be(HttpStatusCode.BadGateway);
        problem!["detail"]!.GetValue<string>().Should().Contain("404");

        var empty = Unique("empty.webm");
        _origin.Add(empty, 0);
        (await admin.PostAsync("torrents/make", new { mediaUrl = _origin.Url("/media/" + empty) })).Status.Should().Be(HttpStatusCode.BadGateway);

        var actor = "https://social.example/users/" + Unique("mallory");
        (await admin.PostAsync("suspensions", new { actorUri = actor, reason = "spam" })).Status.Should().Be(HttpStatusCode.Created);
        var name = Unique("spam.webm");
        _origin.Add(name, 1000);
        var (blocked, body) = await admin.PostAsync("torrents/make", new { mediaUrl = _origin.Url("/media/" + name), actorUri = actor });
        blocked.Should().Be(HttpStatusCode.Conflict);
        body!["title"]!.GetValue<string>().Should().Be("Blocked");
    }

    [Test]
    public async Task Making_needs_the_admin_role_and_valid_input()
    {
        await using var tracker = await StartMakingAsync();
        using var moderator = new AdminApiClient(tracker, AdminApiClient.ModeratorToken);
        using var admin = new AdminApiClient(tracker);

        (await moderator.PostAsync("torrents/make", new { mediaUrl = _origin.Url("/media/x.webm") })).Status.Should().Be(HttpStatusCode.Forbidden);

        var (status, problem) = await admin.PostAsync("torrents/make", new { mediaUrl = "file:///etc/passwd", objectUri = "nope", name = "../x" });
        status.Should().Be(HttpStatusCode.BadRequest);
        problem!["errors"]!["mediaUrl"].Should().NotBeNull();
        problem["errors"]!["objectUri"].Should().NotBeNull();
        problem["errors"]!["name"].Should().NotBeNull();
        (await admin.PostAsync("torrents/make", new { mediaUrl = "https://media.example/dir/" })).Status.Should().Be(HttpStatusCode.BadRequest);
        (await admin.PostAsync("torrents/make", new { objectUri = Status })).Status.Should().Be(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task In_private_mode_made_torrents_carry_the_private_flag()
    {
        await using var tracker = await StartMakingAsync("--Tracker:AccessMode", "private");
        using var admin = new AdminApiClient(tracker);
        using var http = Public(tracker);
        var name = Unique("members.webm");
        _origin.Add(name, 20_000);

        var made = (await admin.PostAsync("torrents/make", new { mediaUrl = _origin.Url("/media/" + name) })).Body!;
        var bytes = await http.GetByteArrayAsync(new Uri($"torrents/{made["infoHashV1"]!.GetValue<string>()}.torrent", UriKind.Relative));

        TorrentMetainfo.TryParse(bytes, out var torrent, out _).Should().BeTrue();
        torrent!.IsPrivate.Should().BeTrue();
    }
}

/// <summary>The single-node shape: memory store, SQLite registry.</summary>
[TestFixture]
public sealed class SqliteTorrentsForMediaTests : TorrentsForMediaTests
{
    private protected override Task<TestTracker> StartAsync(params string[] extra) => TestTracker.StartAsync(extra);
}

/// <summary>The cluster shape: Redis store and Redis registry.</summary>
[TestFixture]
public sealed class RedisTorrentsForMediaTests : TorrentsForMediaTests
{
    private RedisServer _redis = null!;

    [OneTimeSetUp]
    public async Task StartRedisAsync() => _redis = await RedisServer.StartNewAsync();

    [OneTimeTearDown]
    public async Task StopRedisAsync() => await _redis.DisposeAsync();

    private protected override Task<TestTracker> StartAsync(params string[] extra) =>
        TestTracker.StartAsync(["--store", "redis", "--redis", _redis.EndPoint, "--Store:RedisKeyPrefix", "m" + Guid.NewGuid().ToString("N")[..12], .. extra]);
}
