using System.Net;
using System.Text.Json.Nodes;
using FediTracker.Protocol.Torrents;
using FediTracker.Storage.Redis.Tests.Infrastructure;

namespace FediTracker.Server.Tests.Federation;

/// <summary>
/// Automatic registration end to end: a fake instance on loopback subscribes to a running tracker as to a relay,
/// sends signed <c>Create</c>s of posts whose media it serves itself, and the tracker makes and registers torrents of
/// them (or says why not); the admin API and the public port show the result. Every test runs on both shapes.
/// </summary>
public abstract class AutoRegistrationTests
{
    private const string Announce = "http://tracker.test/announce";
    private const string Counter = "feditracker.federation.auto_registrations";
    private const int Minimum = 100_000;
    private const int Large = 300_000;
    private const int Small = 20_000;

    private FakeInstance _origin = null!;
    private FakeInstance _stranger = null!;
    private MediaOrigin _cdn = null!;

    private protected abstract Task<TestTracker> StartAsync(params string[] extra);

    [OneTimeSetUp]
    public async Task StartInstancesAsync()
    {
        _origin = await FakeInstance.StartAsync();
        _stranger = await FakeInstance.StartAsync();
        _cdn = await MediaOrigin.StartAsync();
    }

    [OneTimeTearDown]
    public async Task StopInstancesAsync()
    {
        await _origin.DisposeAsync();
        await _stranger.DisposeAsync();
        await _cdn.DisposeAsync();
    }

    private Task<FederatedTracker> StartTrackerAsync(params string[] extra) => StartTrackerForAsync(_origin, extra);

    private Task<FederatedTracker> StartTrackerForAsync(FakeInstance trusted, params string[] extra) => FederatedTracker.StartAsync(
        args => StartAsync(args),
        [trusted.Domain],
        [
            "--Torrents:AutoRegister", "true",
            "--Torrents:AnnounceUrls:0", Announce,
            "--Torrents:AllowPrivateAddresses", "true",
            "--Torrents:MinAttachmentBytes", Minimum.ToString(System.Globalization.CultureInfo.InvariantCulture),
            .. extra,
        ]);

    /// <summary>The instance subscribes to the tracker as to a relay (Mastodon's instance actor follows Public).</summary>
    private static async Task SubscribeAsync(FederatedTracker fed, FakeInstance instance) =>
        (await instance.SendAsync(fed.Inbox, "relay", instance.Follow("relay"))).Should().Be((HttpStatusCode.Accepted, "followed"));

    private static string Unique(string name) => Guid.NewGuid().ToString("N")[..8] + "-" + name;

    private static async Task<JsonArray> TorrentsOfAsync(AdminApiClient admin, string objectUri)
    {
        var (status, page) = await admin.GetAsync("torrents?objectUri=" + Uri.EscapeDataString(objectUri));
        status.Should().Be(HttpStatusCode.OK);
        return page!["items"]!.AsArray();
    }

    private static Task<JsonNode> WaitForTorrentAsync(AdminApiClient admin, string objectUri, string mediaUrl) =>
        FakeInstance.EventuallyAsync(
            async () => (await TorrentsOfAsync(admin, objectUri)).FirstOrDefault(t => t!["mediaUrl"]!.GetValue<string>() == mediaUrl),
            $"a torrent of {mediaUrl} for {objectUri}",
            seconds: 30);

    private static JsonObject AsUpdate(JsonObject create)
    {
        create["type"] = "Update";
        create["id"] = create["object"]!["id"]!.GetValue<string>() + "#updates/" + Guid.NewGuid().ToString("N");
        return create;
    }

    [Test]
    public async Task A_large_video_attached_to_a_note_is_made_into_a_torrent_whose_web_seed_is_the_media_url()
    {
        await using var fed = await StartTrackerAsync();
        using var admin = new AdminApiClient(fed.Tracker);
        using var counts = new OutcomeCounter(fed.Tracker, Counter);
        await SubscribeAsync(fed, _origin);
        var name = Unique("clip.mp4");
        var content = _origin.AddMedia(name, Large);
        var mediaUrl = _origin.MediaUrl("/media/" + name);
        var status = _origin.Status("alice", 1);

        var answer = await _origin.SendAsync(fed.Inbox, "alice", _origin.CreateNote("alice", status, (mediaUrl, "video/mp4")));

        answer.Should().Be((HttpStatusCode.Accepted, "attachments_queued"));
        var torrent = await WaitForTorrentAsync(admin, status, mediaUrl);
        torrent["actorUri"]!.GetValue<string>().Should().Be(_origin.Actor("alice"));
        torrent["status"]!.GetValue<string>().Should().Be("active");
        torrent["length"]!.GetValue<long>().Should().Be(Large);
        torrent["name"]!.GetValue<string>().Should().Be(name, "the attachment's name is its description, not a file name");
        torrent["createdBy"]!.GetValue<string>().Should().Be(_origin.Actor("alice"));
        torrent["hasMetainfo"]!.GetValue<bool>().Should().BeTrue();

        using var http = new HttpClient();
        var v1 = torrent["infoHashV1"]!.GetValue<string>();
        var bytes = await http.GetByteArrayAsync(new Uri($"http://{fed.Tracker.HttpV4}/torrents/{v1}.torrent"));
        TorrentMetainfo.TryParse(bytes, out var metainfo, out var error).Should().BeTrue(error);
        metainfo!.UrlList.Should().Equal(mediaUrl);
        metainfo.Announce.Should().Be(Announce);
        var local = await TorrentBuilder.BuildAsync(new MemoryStream(content), new TorrentBuildOptions { Name = name }, CancellationToken.None);
        local.InfoHashV1!.Value.ToString().Should().Be(v1, "the torrent is of the bytes the origin serves");

        await counts.WaitForAsync("made");
        counts["queued"].Should().Be(1);
        AdminApiClient.Failure(await AdminApiClient.AnnounceAsync(fed.Tracker.HttpV4, Convert.FromHexString(v1), 1, 7001, 0)).Should().BeNull("it is registered, so the tracker serves it");
    }

    [Test]
    public async Task Small_attachments_and_other_files_are_skipped_and_nothing_is_registered()
    {
        await using var fed = await StartTrackerAsync();
        using var admin = new AdminApiClient(fed.Tracker);
        using var counts = new OutcomeCounter(fed.Tracker, Counter);
        await SubscribeAsync(fed, _origin);
        var declared = Unique("small.mp4");
        var undeclared = Unique("small-chunked.mp4");
        var document = Unique("paper.pdf");
        _origin.AddMedia(declared, Small);
        _origin.AddMedia(undeclared, Small);
        _origin.AddMedia(document, Large);
        var status = _origin.Status("alice", 2);

        // Mastodon states no size: the maker learns it from the response. The declared one never sends its body, so
        // only a maker that stops at the Content-Length gets to count it.
        var answer = await _origin.SendAsync(fed.Inbox, "alice", _origin.CreateNote(
            "alice",
            status,
            (_origin.MediaUrl("/stalled/" + declared), "video/mp4"),
            (_origin.MediaUrl("/chunked/" + undeclared), "audio/mpeg"),
            (_origin.MediaUrl("/media/" + document), "application/pdf")));

        answer.Should().Be((HttpStatusCode.Accepted, "attachments_queued"));
        await counts.WaitForAsync("too_small", 2);
        counts["queued"].Should().Be(2);
        counts["not_media"].Should().Be(1);
        counts["made"].Should().Be(0);
        _origin.Hits("/media/" + document).Should().Be(0, "a file that is not audio, video or an image is not fetched");
        _origin.Hits("/stalled/" + declared).Should().Be(1, "one GET, abandoned at its Content-Length");
        (await TorrentsOfAsync(admin, status)).Should().BeEmpty();
    }

    [Test]
    public async Task A_PeerTube_video_s_files_are_judged_by_their_stated_size_before_anything_is_fetched()
    {
        await using var fed = await StartTrackerAsync();
        using var admin = new AdminApiClient(fed.Tracker);
        using var counts = new OutcomeCounter(fed.Tracker, Counter);
        await SubscribeAsync(fed, _origin);
        var high = Unique("720.mp4");
        var low = Unique("240.mp4");
        _origin.AddMedia(high, Large);
        _origin.AddMedia(low, Small);
        var video = _origin.MediaUrl("/videos/watch/" + Guid.NewGuid().ToString("N"));

        var answer = await _origin.SendAsync(fed.Inbox, "alice", _origin.CreateVideo(
            "alice",
            video,
            (_origin.MediaUrl("/media/" + high), Large),
            (_origin.MediaUrl("/media/" + low), Small)));

        answer.Should().Be((HttpStatusCode.Accepted, "attachments_queued"));
        await WaitForTorrentAsync(admin, video, _origin.MediaUrl("/media/" + high));
        counts["too_small"].Should().Be(1);
        counts["queued"].Should().Be(1);
        counts["not_media"].Should().Be(3, "its HTML page and its two torrent links");
        _origin.Hits("/media/" + low).Should().Be(0, "the stated size is below the minimum");
        (await TorrentsOfAsync(admin, video)).Should().ContainSingle();
    }

    [Test]
    public async Task An_attachment_on_a_foreign_host_is_not_fetched_unless_listed_as_the_instance_s_media_host()
    {
        var name = Unique("cdn.mp4");
        _cdn.Add(name, Large);
        var mediaUrl = _cdn.Url("/media/" + name);
        var status = _origin.Status("alice", 3);
        var create = _origin.CreateNote("alice", status, (mediaUrl, "video/mp4"));

        await using (var fed = await StartTrackerAsync())
        {
            using var admin = new AdminApiClient(fed.Tracker);
            using var counts = new OutcomeCounter(fed.Tracker, Counter);
            await SubscribeAsync(fed, _origin);

            (await _origin.SendAsync(fed.Inbox, "alice", create)).Should().Be((HttpStatusCode.Accepted, "attachments_skipped"));
            counts["foreign_host"].Should().Be(1);
            counts["queued"].Should().Be(0);
            (await TorrentsOfAsync(admin, status)).Should().BeEmpty();
            _cdn.Hits("/media/" + name).Should().Be(0);
        }

        await using var listed = await StartTrackerAsync("--Torrents:MediaHosts:0:Domain", _origin.Domain, "--Torrents:MediaHosts:0:Hosts:0", _cdn.BaseUri.Authority);
        using var listedAdmin = new AdminApiClient(listed.Tracker);
        await SubscribeAsync(listed, _origin);
        (await _origin.SendAsync(listed.Inbox, "alice", create)).Should().Be((HttpStatusCode.Accepted, "attachments_queued"));
        (await WaitForTorrentAsync(listedAdmin, status, mediaUrl))["length"]!.GetValue<long>().Should().Be(Large);
    }

    [Test]
    public async Task Creates_from_untrusted_or_unsubscribed_instances_non_public_posts_and_forged_objects_make_nothing()
    {
        await using var fed = await StartTrackerAsync();
        using var admin = new AdminApiClient(fed.Tracker);
        using var counts = new OutcomeCounter(fed.Tracker, Counter);
        var name = Unique("clip.mp4");
        _origin.AddMedia(name, Large);
        _stranger.AddMedia(name, Large);
        var ours = _origin.MediaUrl("/media/" + name);
        var theirs = _stranger.MediaUrl("/media/" + name);

        // The stranger is not trusted: its Follow is refused, and so is its Create.
        (await _stranger.SendAsync(fed.Inbox, "relay", _stranger.Follow("relay"))).Status.Should().Be(HttpStatusCode.Forbidden);
        var strangers = _stranger.Status("eve", 1);
        (await _stranger.SendAsync(fed.Inbox, "eve", _stranger.CreateNote("eve", strangers, (theirs, "video/mp4")))).Should().Be((HttpStatusCode.Forbidden, "untrusted_domain"));

        // Trusted, but not subscribed yet.
        var status = _origin.Status("alice", 4);
        (await _origin.SendAsync(fed.Inbox, "alice", _origin.CreateNote("alice", status, (ours, "video/mp4")))).Should().Be((HttpStatusCode.Accepted, "not_subscribed"));

        // Subscribed, but the post is for followers only.
        await SubscribeAsync(fed, _origin);
        var followersOnly = _origin.CreateNote("alice", _origin.Status("alice", 5), (ours, "video/mp4"));
        foreach (var node in new[] { followersOnly, followersOnly["object"]!.AsObject() })
        {
            node["to"] = new JsonArray(_origin.Actor("alice") + "/followers");
            node["cc"] = new JsonArray();
        }

        (await _origin.SendAsync(fed.Inbox, "alice", followersOnly)).Should().Be((HttpStatusCode.Accepted, "not_public"));

        // alice signs a Create of a post that lives on another origin, and one attributed to someone else.
        var forged = _origin.CreateNote("alice", strangers, (theirs, "video/mp4"));
        forged["id"] = _origin.Status("alice", 6) + "/activity";
        (await _origin.SendAsync(fed.Inbox, "alice", forged)).Should().Be((HttpStatusCode.Forbidden, "origin_mismatch"));
        var misattributed = _origin.CreateNote("alice", _origin.Status("bob", 1), (ours, "video/mp4"));
        misattributed["object"]!["attributedTo"] = _origin.Actor("bob");
        (await _origin.SendAsync(fed.Inbox, "alice", misattributed)).Should().Be((HttpStatusCode.Forbidden, "origin_mismatch"));

        _origin.Hits("/media/" + name).Should().Be(0);
        _stranger.Hits("/media/" + name).Should().Be(0);
        counts.ToString().Should().BeEmpty("no attachment was even looked at");
        foreach (var post in new[] { strangers, status, _origin.Status("alice", 5), _origin.Status("bob", 1) })
        {
            (await TorrentsOfAsync(admin, post)).Should().BeEmpty();
        }

        // With automatic registration off, the same Create is ignored.
        await using var off = await FederatedTracker.StartAsync(args => StartAsync(args), [_origin.Domain], "--Torrents:AnnounceUrls:0", Announce, "--Torrents:AllowPrivateAddresses", "true");
        await SubscribeAsync(off, _origin);
        (await _origin.SendAsync(off.Inbox, "alice", _origin.CreateNote("alice", status, (ours, "video/mp4")))).Should().Be((HttpStatusCode.Accepted, "ignored"));
        _origin.Hits("/media/" + name).Should().Be(0);
    }

    [Test]
    public async Task At_most_MaxAttachmentsPerActivity_are_taken_from_one_post()
    {
        await using var fed = await StartTrackerAsync("--Torrents:MaxAttachmentsPerActivity", "2");
        using var admin = new AdminApiClient(fed.Tracker);
        using var counts = new OutcomeCounter(fed.Tracker, Counter);
        await SubscribeAsync(fed, _origin);
        var names = Enumerable.Range(0, 3).Select(i => Unique($"part{i}.mp4")).ToArray();
        foreach (var name in names)
        {
            _origin.AddMedia(name, Large);
        }

        var status = _origin.Status("alice", 7);
        var create = _origin.CreateNote("alice", status, [.. names.Select(n => (_origin.MediaUrl("/media/" + n), "video/mp4"))]);

        (await _origin.SendAsync(fed.Inbox, "alice", create)).Should().Be((HttpStatusCode.Accepted, "attachments_queued"));
        await counts.WaitForAsync("made", 2);
        counts["capped"].Should().Be(1);
        (await TorrentsOfAsync(admin, status)).Select(t => t!["mediaUrl"]!.GetValue<string>())
            .Should().BeEquivalentTo(names[..2].Select(n => _origin.MediaUrl("/media/" + n)));
        _origin.Hits("/media/" + names[2]).Should().Be(0);
    }

    [Test]
    public async Task A_full_queue_drops_the_attachment_counts_it_and_still_accepts_the_activity()
    {
        // Its own instance: the gate, once opened, stays open.
        await using var busy = await FakeInstance.StartAsync();
        await using var fed = await StartTrackerForAsync(busy, "--Torrents:MakeWorkers", "1", "--Torrents:MakeQueueCapacity", "1");
        using var admin = new AdminApiClient(fed.Tracker);
        using var counts = new OutcomeCounter(fed.Tracker, Counter);
        await SubscribeAsync(fed, busy);
        foreach (var name in new[] { "held.mp4", "queued.mp4", "refused.mp4" })
        {
            busy.AddMedia(name, Large);
        }

        // The only worker is held by a download the origin keeps open; the next attachment fills the queue.
        (await busy.SendAsync(fed.Inbox, "alice", busy.CreateNote("alice", busy.Status("alice", 1), (busy.MediaUrl("/gated/held.mp4"), "video/mp4"))))
            .Should().Be((HttpStatusCode.Accepted, "attachments_queued"));
        await busy.GateReached.WaitAsync(TimeSpan.FromSeconds(30));
        (await busy.SendAsync(fed.Inbox, "alice", busy.CreateNote("alice", busy.Status("alice", 2), (busy.MediaUrl("/media/queued.mp4"), "video/mp4"))))
            .Should().Be((HttpStatusCode.Accepted, "attachments_queued"));

        var refused = busy.Status("alice", 3);
        (await busy.SendAsync(fed.Inbox, "alice", busy.CreateNote("alice", refused, (busy.MediaUrl("/media/refused.mp4"), "video/mp4"))))
            .Should().Be((HttpStatusCode.Accepted, "attachments_skipped"));
        counts["queue_full"].Should().Be(1);

        busy.OpenGate();
        await WaitForTorrentAsync(admin, busy.Status("alice", 1), busy.MediaUrl("/gated/held.mp4"));
        await WaitForTorrentAsync(admin, busy.Status("alice", 2), busy.MediaUrl("/media/queued.mp4"));
        await counts.WaitForAsync("made", 2);
        counts["queued"].Should().Be(2);
        (await TorrentsOfAsync(admin, refused)).Should().BeEmpty();
        busy.Hits("/media/refused.mp4").Should().Be(0, "a dropped attachment is not fetched");
    }

    [Test]
    public async Task A_deleted_or_revoked_post_is_never_made_again()
    {
        await using var fed = await StartTrackerAsync();
        using var admin = new AdminApiClient(fed.Tracker);
        using var counts = new OutcomeCounter(fed.Tracker, Counter);
        await SubscribeAsync(fed, _origin);
        var name = Unique("clip.mp4");
        _origin.AddMedia(name, Large);
        var mediaUrl = _origin.MediaUrl("/media/" + name);

        // The Delete arrives first (relays do not keep order): the Create that follows makes nothing.
        var first = _origin.Status("alice", 8);
        (await _origin.SendAsync(fed.Inbox, "alice", _origin.DeleteStatus("alice", first))).Should().Be((HttpStatusCode.Accepted, "pending"));
        (await _origin.SendAsync(fed.Inbox, "alice", _origin.CreateNote("alice", first, (mediaUrl, "video/mp4")))).Should().Be((HttpStatusCode.Accepted, "deleted"));
        (await TorrentsOfAsync(admin, first)).Should().BeEmpty();
        _origin.Hits("/media/" + name).Should().Be(0);

        // Made, then deleted: an edit of the post is refused by the registration path before anything is fetched.
        var second = _origin.Status("alice", 9);
        (await _origin.SendAsync(fed.Inbox, "alice", _origin.CreateNote("alice", second, (mediaUrl, "video/mp4")))).Should().Be((HttpStatusCode.Accepted, "attachments_queued"));
        await WaitForTorrentAsync(admin, second, mediaUrl);
        await counts.WaitForAsync("made");
        (await _origin.SendAsync(fed.Inbox, "alice", _origin.DeleteStatus("alice", second))).Should().Be((HttpStatusCode.Accepted, "revoked"));
        var hits = _origin.Hits("/media/" + name);
        (await _origin.SendAsync(fed.Inbox, "alice", AsUpdate(_origin.CreateNote("alice", second, (mediaUrl, "video/mp4"))))).Should().Be((HttpStatusCode.Accepted, "attachments_queued"));
        await counts.WaitForAsync("blocked");
        (await TorrentsOfAsync(admin, second)).Should().ContainSingle().Which!["status"]!.GetValue<string>().Should().Be("revoked");
        _origin.Hits("/media/" + name).Should().Be(hits);

        // Revoked by an admin before anything was registered: the registry refuses the made torrent.
        // (Another file: the first one's hashes are revoked already, which would refuse it on their own.)
        var other = Unique("other.mp4");
        _origin.AddMedia(other, Large);
        var third = _origin.Status("alice", 10);
        (await admin.PostAsync("revocations", new { objectUri = third, reason = "reported" })).Status.Should().Be(HttpStatusCode.Created);
        (await _origin.SendAsync(fed.Inbox, "alice", _origin.CreateNote("alice", third, (_origin.MediaUrl("/media/" + other), "video/mp4")))).Should().Be((HttpStatusCode.Accepted, "attachments_queued"));
        await counts.WaitForAsync("blocked", 2);
        (await TorrentsOfAsync(admin, third)).Should().BeEmpty();
        counts["made"].Should().Be(1);
    }
}

/// <summary>The single-node shape: SQLite registry and federation state.</summary>
[TestFixture]
public sealed class SqliteAutoRegistrationTests : AutoRegistrationTests
{
    private protected override Task<TestTracker> StartAsync(params string[] extra) => TestTracker.StartAsync(extra);
}

/// <summary>The cluster shape: Redis store, registry and federation state.</summary>
[TestFixture]
public sealed class RedisAutoRegistrationTests : AutoRegistrationTests
{
    private RedisServer _redis = null!;

    [OneTimeSetUp]
    public async Task StartRedisAsync() => _redis = await RedisServer.StartNewAsync();

    [OneTimeTearDown]
    public async Task StopRedisAsync() => await _redis.DisposeAsync();

    private protected override Task<TestTracker> StartAsync(params string[] extra) =>
        TestTracker.StartAsync(["--store", "redis", "--redis", _redis.EndPoint, "--Store:RedisKeyPrefix", "a" + Guid.NewGuid().ToString("N")[..12], .. extra]);
}
