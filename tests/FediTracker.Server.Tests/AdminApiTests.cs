using System.Buffers.Binary;
using System.Net;
using System.Text;
using FediTracker.Core.Swarms;
using FediTracker.Protocol;
using FediTracker.Storage.Redis.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FediTracker.Server.Tests;

/// <summary>The admin API over real HTTP, for every endpoint and role, and its effect on announces.</summary>
public abstract class AdminApiTests
{
    private const string Actor = "https://social.example/users/alice";

    /// <summary>Starts a tracker of this fixture's shape, with the test tokens and the given extra arguments.</summary>
    private protected abstract Task<TestTracker> StartAsync(params string[] extra);

    private Task<TestTracker> StartRegisteredAsync(params string[] extra) =>
        StartAsync([.. AdminApiClient.TokenArgs, "--Tracker:AccessMode", "registered", .. extra]);

    private static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);

    [Test]
    public async Task Calls_without_a_valid_token_get_401_problem_details()
    {
        await using var tracker = await StartRegisteredAsync();
        using var anonymous = new AdminApiClient(tracker, token: null);
        using var wrong = new AdminApiClient(tracker, token: "not-a-token-not-a-token-not-a-token-x");

        var (status, body) = await anonymous.GetAsync("torrents");
        status.Should().Be(HttpStatusCode.Unauthorized);
        body!["status"]!.GetValue<int>().Should().Be(401);
        body["title"]!.GetValue<string>().Should().Be("Unauthorized");

        using var response = await anonymous.Http.GetAsync(new Uri("revocations", UriKind.Relative));
        response.Headers.WwwAuthenticate.ToString().Should().Be("Bearer");

        (await wrong.PostAsync("revocations", new { infoHash = Hex(TestData.NewHash()), reason = "x" })).Status.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task Moderators_revoke_suspend_and_list_but_may_not_register_restore_or_manage_passkeys()
    {
        await using var tracker = await StartRegisteredAsync();
        using var admin = new AdminApiClient(tracker);
        using var moderator = new AdminApiClient(tracker, AdminApiClient.ModeratorToken);
        var hash = TestData.NewHash();

        (await moderator.PostAsync("torrents", new { infoHashV1 = Hex(hash) })).Status.Should().Be(HttpStatusCode.Forbidden);
        await admin.RegisterAsync(hash, actorUri: Actor);

        (await moderator.GetAsync("torrents")).Status.Should().Be(HttpStatusCode.OK);
        (await moderator.GetAsync($"torrents/{Hex(hash)}")).Status.Should().Be(HttpStatusCode.OK);
        (await moderator.PostAsync("suspensions", new { infoHash = Hex(hash), reason = "account suspended" })).Status.Should().Be(HttpStatusCode.Created);
        var (forbidden, problem) = await moderator.PostAsync("restorations", new { infoHash = Hex(hash), reason = "appeal" });
        forbidden.Should().Be(HttpStatusCode.Forbidden);
        problem!["detail"]!.GetValue<string>().Should().Contain("admin");
        (await moderator.PostAsync("revocations", new { infoHash = Hex(hash), reason = "deleted" })).Status.Should().Be(HttpStatusCode.Created);
        (await moderator.GetAsync("revocations")).Status.Should().Be(HttpStatusCode.OK);
        (await moderator.GetAsync("audit")).Status.Should().Be(HttpStatusCode.OK);
        (await moderator.PostAsync("passkeys", new { label = "x" })).Status.Should().Be(HttpStatusCode.Forbidden);
        (await moderator.GetAsync("passkeys")).Status.Should().Be(HttpStatusCode.Forbidden);
        (await admin.PostAsync("restorations", new { infoHash = Hex(hash), reason = "appeal upheld" })).Status.Should().Be(HttpStatusCode.Created);
    }

    [Test]
    public async Task Registration_serves_the_hash_and_is_idempotent_and_conflicts_are_409()
    {
        await using var tracker = await StartRegisteredAsync();
        using var admin = new AdminApiClient(tracker);
        var hash = TestData.NewHash();

        var before = await AdminApiClient.AnnounceAsync(tracker.HttpV4, hash, 1, 6001, left: 0);
        AdminApiClient.Failure(before).Should().Be("this torrent is not registered with this tracker");

        var created = await admin.RegisterAsync(hash, objectUri: "https://social.example/users/alice/statuses/1", actorUri: Actor, mediaUrl: "https://files.social.example/a.mp4");
        created["infoHashV1"]!.GetValue<string>().Should().Be(Hex(hash));
        created["status"]!.GetValue<string>().Should().Be("active");
        created["createdBy"]!.GetValue<string>().Should().Be("alice");

        AdminApiClient.Failure(await AdminApiClient.AnnounceAsync(tracker.HttpV4, hash, 1, 6001, left: 0)).Should().BeNull("registered hashes are served at once");

        var again = await admin.PostAsync("torrents", new { infoHashV1 = Hex(hash), objectUri = "https://social.example/users/alice/statuses/1", actorUri = Actor, mediaUrl = "https://files.social.example/a.mp4", name = "clip.mp4" });
        again.Status.Should().Be(HttpStatusCode.OK);
        again.Body!["id"]!.GetValue<long>().Should().Be(created["id"]!.GetValue<long>());

        var other = await admin.PostAsync("torrents", new { infoHashV1 = Hex(hash), objectUri = "https://elsewhere.example/notes/9" });
        other.Status.Should().Be(HttpStatusCode.Conflict);
        other.Body!["title"]!.GetValue<string>().Should().Be("Conflict");
    }

    [Test]
    public async Task Invalid_input_gets_400_validation_problems_and_malformed_json_never_a_500()
    {
        await using var tracker = await StartRegisteredAsync();
        using var admin = new AdminApiClient(tracker);

        var (status, body) = await admin.PostAsync("torrents", new { infoHashV1 = "xyz", objectUri = "ftp://nope" });
        status.Should().Be(HttpStatusCode.BadRequest);
        body!["errors"]!["infoHashV1"].Should().NotBeNull();
        body["errors"]!["objectUri"].Should().NotBeNull();

        var two = await admin.PostAsync("revocations", new { infoHash = Hex(TestData.NewHash()), actorUri = Actor, reason = "x" });
        two.Status.Should().Be(HttpStatusCode.BadRequest);
        two.Body!["errors"]!["target"].Should().NotBeNull();

        var noReason = await admin.PostAsync("revocations", new { infoHash = Hex(TestData.NewHash()) });
        noReason.Status.Should().Be(HttpStatusCode.BadRequest);
        noReason.Body!["errors"]!["reason"].Should().NotBeNull();

        (await admin.GetAsync("torrents?limit=0")).Status.Should().Be(HttpStatusCode.BadRequest);
        (await admin.GetAsync("torrents?status=gone")).Status.Should().Be(HttpStatusCode.BadRequest);
        (await admin.GetAsync("torrents/nothex")).Status.Should().Be(HttpStatusCode.BadRequest);
        (await admin.GetAsync($"torrents/{Hex(TestData.NewHash())}")).Status.Should().Be(HttpStatusCode.NotFound);

        using var malformed = new StringContent("{\"infoHash\": ", Encoding.UTF8, "application/json");
        using var response = await admin.Http.PostAsync(new Uri("revocations", UriKind.Relative), malformed);
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [Test]
    public async Task Revoking_by_hash_refuses_announces_and_scrapes_at_once_purges_the_swarm_and_blocks_reregistration()
    {
        await using var tracker = await StartRegisteredAsync();
        using var admin = new AdminApiClient(tracker);
        var hash = TestData.NewHash();
        await admin.RegisterAsync(hash);
        await AdminApiClient.AnnounceAsync(tracker.HttpV4, hash, 1, 6101, left: 0);
        AdminApiClient.PeerCount(await AdminApiClient.AnnounceAsync(tracker.HttpV4, hash, 2, 6102, left: 5)).Should().Be(1);

        var (status, body) = await admin.PostAsync("revocations", new { infoHash = Hex(hash), reason = "deleted by its author" });

        status.Should().Be(HttpStatusCode.Created);
        body!["changed"]!.GetValue<bool>().Should().BeTrue();
        body["moderation"]!["kind"]!.GetValue<string>().Should().Be("revocation");
        body["moderation"]!["by"]!.GetValue<string>().Should().Be("alice");
        body["blocked"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal(Hex(hash));

        var http = await AdminApiClient.AnnounceAsync(tracker.HttpV4, hash, 2, 6102, left: 5);
        AdminApiClient.Failure(http).Should().Be("this torrent has been removed from the tracker");
        AdminApiClient.RetryIn(http).Should().Be("never");
        AdminApiClient.Failure(await AdminApiClient.ScrapeAsync(tracker.HttpV4, hash)).Should().Be("this torrent has been removed from the tracker");

        using var udp = new UdpTrackerClient(tracker.UdpV4);
        var id = await udp.ConnectAsync();
        var reply = await udp.RoundTripAsync(UdpTrackerClient.Announce(id, 77, hash, TestData.PeerId(3), 10, 2, 50, 6103));
        BinaryPrimitives.ReadInt32BigEndian(reply).Should().Be(3, "an error packet");
        Encoding.UTF8.GetString(reply.AsSpan(8)).Should().Be("this torrent has been removed from the tracker");

        var counts = new ScrapeEntry[1];
        await tracker.Services.GetRequiredService<ISwarmStore>().ScrapeAsync(new[] { new InfoHash(Bytes20.Read(hash)) }, counts, CancellationToken.None);
        counts[0].Should().Be(default(ScrapeEntry), "the swarm is forgotten: no peer address kept");

        var reregister = await admin.PostAsync("torrents", new { infoHashV1 = Hex(hash) });
        reregister.Status.Should().Be(HttpStatusCode.Conflict);
        reregister.Body!["title"]!.GetValue<string>().Should().Be("Blocked");

        var record = await admin.GetAsync($"torrents/{Hex(hash)}");
        record.Body!["status"]!.GetValue<string>().Should().Be("revoked");
        record.Body["statusReason"]!.GetValue<string>().Should().Be("deleted by its author");

        var repeat = await admin.PostAsync("revocations", new { infoHash = Hex(hash), reason = "again" });
        repeat.Status.Should().Be(HttpStatusCode.OK, "a repeat changes nothing");
        repeat.Body!["changed"]!.GetValue<bool>().Should().BeFalse();
        repeat.Body["moderation"]!["id"]!.GetValue<long>().Should().Be(body["moderation"]!["id"]!.GetValue<long>());
    }

    [Test]
    public async Task Revoking_an_actor_revokes_all_its_torrents_and_refuses_its_later_ones()
    {
        await using var tracker = await StartRegisteredAsync();
        using var admin = new AdminApiClient(tracker);
        var first = TestData.NewHash();
        var second = TestData.NewHash();
        var bystander = TestData.NewHash();
        await admin.RegisterAsync(first, objectUri: Actor + "/statuses/1", actorUri: Actor);
        await admin.RegisterAsync(second, objectUri: Actor + "/statuses/2", actorUri: Actor);
        await admin.RegisterAsync(bystander, actorUri: "https://social.example/users/bob");

        var (status, body) = await admin.PostAsync("revocations", new { actorUri = Actor, reason = "account deleted" });

        status.Should().Be(HttpStatusCode.Created);
        body!["blocked"]!.AsArray().Select(n => n!.GetValue<string>()).Should().BeEquivalentTo([Hex(first), Hex(second)]);
        AdminApiClient.Failure(await AdminApiClient.AnnounceAsync(tracker.HttpV4, first, 1, 6201, 0)).Should().NotBeNull();
        AdminApiClient.Failure(await AdminApiClient.AnnounceAsync(tracker.HttpV4, second, 1, 6201, 0)).Should().NotBeNull();
        AdminApiClient.Failure(await AdminApiClient.AnnounceAsync(tracker.HttpV4, bystander, 1, 6201, 0)).Should().BeNull();
        (await admin.PostAsync("torrents", new { infoHashV1 = Hex(TestData.NewHash()), actorUri = Actor })).Status.Should().Be(HttpStatusCode.Conflict);

        var revoked = await admin.GetAsync($"torrents?actorUri={Uri.EscapeDataString(Actor)}&status=revoked");
        revoked.Body!["items"]!.AsArray().Should().HaveCount(2);
        revoked.Body["items"]![0]!["swarms"]![0]!["seeders"]!.GetValue<int>().Should().Be(0, "a revoked torrent's swarm is gone");

        await AdminApiClient.AnnounceAsync(tracker.HttpV4, bystander, 1, 6202, 0);
        await AdminApiClient.AnnounceAsync(tracker.HttpV4, bystander, 2, 6203, 10);
        var live = (await admin.GetAsync("torrents?actorUri=" + Uri.EscapeDataString("https://social.example/users/bob"))).Body!["items"]![0]!["swarms"]![0]!;
        live["infoHash"]!.GetValue<string>().Should().Be(Hex(bystander));
        live["seeders"]!.GetValue<int>().Should().Be(2, "two seeders: the first announce of this test and this one");
        live["leechers"]!.GetValue<int>().Should().Be(1);
    }

    [Test]
    public async Task A_suspension_refuses_until_an_admin_restores_it()
    {
        await using var tracker = await StartRegisteredAsync();
        using var admin = new AdminApiClient(tracker);
        var hash = TestData.NewHash();
        await admin.RegisterAsync(hash, objectUri: Actor + "/statuses/3", actorUri: Actor);

        (await admin.PostAsync("suspensions", new { actorUri = Actor, reason = "suspended by moderators" })).Status.Should().Be(HttpStatusCode.Created);
        var suspended = await AdminApiClient.AnnounceAsync(tracker.HttpV4, hash, 1, 6301, 0);
        AdminApiClient.Failure(suspended).Should().Be("this torrent is suspended on this tracker");
        AdminApiClient.RetryIn(suspended).Should().BeNull("a suspension may end");

        var (status, body) = await admin.PostAsync("restorations", new { actorUri = Actor, reason = "suspension lifted" });
        status.Should().Be(HttpStatusCode.Created);
        body!["unblocked"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal(Hex(hash));
        AdminApiClient.Failure(await AdminApiClient.AnnounceAsync(tracker.HttpV4, hash, 1, 6301, 0)).Should().BeNull();
    }

    [Test]
    public async Task Lists_page_by_cursor_and_the_audit_log_records_every_write()
    {
        await using var tracker = await StartRegisteredAsync();
        using var admin = new AdminApiClient(tracker);
        var hashes = Enumerable.Range(0, 5).Select(_ => TestData.NewHash()).ToArray();
        foreach (var hash in hashes)
        {
            await admin.RegisterAsync(hash, actorUri: Actor);
        }

        await admin.PostAsync("revocations", new { infoHash = Hex(hashes[0]), reason = "r1" });
        await admin.PostAsync("suspensions", new { infoHash = Hex(hashes[1]), reason = "s1" });

        var seen = new List<string>();
        long? after = 0;
        var pages = 0;
        while (after is not null && pages < 10)
        {
            var page = (await admin.GetAsync($"torrents?actorUri={Uri.EscapeDataString(Actor)}&limit=2&after={after}")).Body!;
            seen.AddRange(page["items"]!.AsArray().Select(n => n!["infoHashV1"]!.GetValue<string>()));
            after = page["next"]?.GetValue<long>();
            pages++;
        }

        seen.Should().Equal(hashes.Select(Hex));
        pages.Should().Be(3);

        var moderations = (await admin.GetAsync("revocations?limit=1")).Body!;
        moderations["items"]!.AsArray().Should().ContainSingle();
        moderations["items"]![0]!["kind"]!.GetValue<string>().Should().Be("revocation");
        var next = moderations["next"]!.GetValue<long>();
        var second = (await admin.GetAsync($"revocations?after={next}")).Body!;
        second["items"]![0]!["kind"]!.GetValue<string>().Should().Be("suspension");

        var audit = (await admin.GetAsync("audit?limit=500")).Body!["items"]!.AsArray();
        audit.Select(n => n!["action"]!.GetValue<string>()).Should().Equal("register", "register", "register", "register", "register", "revoke", "suspend");
        audit.Should().OnlyContain(n => n!["by"]!.GetValue<string>() == "alice");
        audit[5]!["detail"]!.GetValue<string>().Should().Contain("r1");
    }

    [Test]
    public async Task Private_mode_wants_a_live_passkey_over_http_and_udp()
    {
        await using var tracker = await StartAsync([.. AdminApiClient.TokenArgs, "--Tracker:AccessMode", "private"]);
        using var admin = new AdminApiClient(tracker);
        var hash = TestData.NewHash();
        await admin.RegisterAsync(hash);

        AdminApiClient.Failure(await AdminApiClient.AnnounceAsync(tracker.HttpV4, hash, 1, 6401, 0))
            .Should().Be("this tracker is private: announce with a valid passkey in the URL");

        var (status, created) = await admin.PostAsync("passkeys", new { label = "instance social.example" });
        status.Should().Be(HttpStatusCode.Created);
        var passkey = created!["passkey"]!.GetValue<string>();
        passkey.Should().MatchRegex("^[0-9a-f]{40}$");
        created["announcePath"]!.GetValue<string>().Should().Be("/announce/" + passkey);

        AdminApiClient.Failure(await AdminApiClient.AnnounceAsync(tracker.HttpV4, hash, 1, 6401, 0, "/announce/" + passkey)).Should().BeNull();
        AdminApiClient.Failure(await AdminApiClient.AnnounceAsync(tracker.HttpV4, hash, 1, 6401, 0, "/announce/" + new string('0', 40))).Should().NotBeNull();
        AdminApiClient.Failure(await AdminApiClient.ScrapeAsync(tracker.HttpV4, hash, "/scrape/" + passkey)).Should().BeNull();

        using var udp = new UdpTrackerClient(tracker.UdpV4);
        var id = await udp.ConnectAsync();
        var without = await udp.RoundTripAsync(UdpTrackerClient.Announce(id, 1, hash, TestData.PeerId(2), 10, 2, 50, 6402));
        BinaryPrimitives.ReadInt32BigEndian(without).Should().Be(3, "no URL data, no passkey");
        var with = await udp.RoundTripAsync(WithUrlData(UdpTrackerClient.Announce(id, 2, hash, TestData.PeerId(2), 10, 2, 50, 6402), "/announce/" + passkey));
        BinaryPrimitives.ReadInt32BigEndian(with).Should().Be(1, "an announce reply");

        var listed = (await admin.GetAsync("passkeys")).Body!.AsArray();
        listed.Should().ContainSingle();
        listed[0]!["label"]!.GetValue<string>().Should().Be("instance social.example");
        listed[0]!.AsObject().ContainsKey("passkey").Should().BeFalse("the passkey is shown once");

        (await admin.SendAsync(HttpMethod.Delete, $"passkeys/{created["id"]!.GetValue<long>()}")).Status.Should().Be(HttpStatusCode.NoContent);
        AdminApiClient.Failure(await AdminApiClient.AnnounceAsync(tracker.HttpV4, hash, 1, 6401, 0, "/announce/" + passkey)).Should().NotBeNull();
        (await admin.SendAsync(HttpMethod.Delete, $"passkeys/{created["id"]!.GetValue<long>()}")).Status.Should().Be(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Open_mode_serves_unknown_hashes_but_a_bare_hash_revocation_still_refuses_them()
    {
        await using var tracker = await StartAsync([.. AdminApiClient.TokenArgs, "--Tracker:AccessMode", "open"]);
        using var admin = new AdminApiClient(tracker);
        var hash = TestData.NewHash();
        AdminApiClient.Failure(await AdminApiClient.AnnounceAsync(tracker.HttpV4, hash, 1, 6501, 0)).Should().BeNull();

        (await admin.PostAsync("revocations", new { infoHash = Hex(hash), reason = "illegal content" })).Status.Should().Be(HttpStatusCode.Created);

        AdminApiClient.Failure(await AdminApiClient.AnnounceAsync(tracker.HttpV4, hash, 1, 6501, 0)).Should().Be("this torrent has been removed from the tracker");
        AdminApiClient.Failure(await AdminApiClient.AnnounceAsync(tracker.HttpV4, TestData.NewHash(), 1, 6501, 0)).Should().BeNull();
    }

    [Test]
    public async Task The_openapi_document_describes_the_api_and_the_api_is_not_on_the_public_port()
    {
        await using var tracker = await StartRegisteredAsync();
        using var http = new HttpClient();
        var document = System.Text.Json.Nodes.JsonNode.Parse(await http.GetStringAsync(new Uri($"http://{tracker.Admin[0]}/api/v1/openapi.json")))!;
        document["openapi"]!.GetValue<string>().Should().StartWith("3.");
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();
        paths.Should().Contain(["/api/v1/torrents", "/api/v1/torrents/{infoHash}", "/api/v1/revocations", "/api/v1/suspensions", "/api/v1/restorations", "/api/v1/audit", "/api/v1/passkeys"]);

        using var response = await http.GetAsync(new Uri($"http://{tracker.HttpV4}/api/v1/torrents"));
        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Uploading_a_hybrid_torrent_registers_both_hashes_and_keeps_the_file()
    {
        await using var tracker = await StartRegisteredAsync();
        using var admin = new AdminApiClient(tracker);
        var content = new byte[100_000];
        Random.Shared.NextBytes(content);
        var built = await Protocol.Torrents.TorrentBuilder.BuildAsync(new MemoryStream(content), new Protocol.Torrents.TorrentBuildOptions { Name = "clip.mp4" }, CancellationToken.None);
        var v1 = built.InfoHashV1!.Value.ToString();
        var v2 = built.InfoHashV2!.Value.ToString();

        using var upload = new ByteArrayContent(built.Metainfo.ToArray());
        upload.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-bittorrent");
        using var response = await admin.Http.PostAsync(new Uri($"torrents/file?objectUri={Uri.EscapeDataString(Actor + "/statuses/9")}&actorUri={Uri.EscapeDataString(Actor)}", UriKind.Relative), upload);
        var body = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        response.StatusCode.Should().Be(HttpStatusCode.Created, body.ToJsonString());
        body["infoHashV1"]!.GetValue<string>().Should().Be(v1);
        body["infoHashV2"]!.GetValue<string>().Should().Be(v2);
        body["name"]!.GetValue<string>().Should().Be("clip.mp4");
        body["length"]!.GetValue<long>().Should().Be(100_000);
        body["hasMetainfo"]!.GetValue<bool>().Should().BeTrue();
        (await admin.GetAsync($"torrents/{v2}")).Body!["infoHashV1"]!.GetValue<string>().Should().Be(v1);

        var v2Bytes = Convert.FromHexString(v2);
        AdminApiClient.Failure(await AdminApiClient.AnnounceAsync(tracker.HttpV4, v2Bytes, 1, 6701, 0)).Should().BeNull("the v2 hash is served too");
        (await admin.PostAsync("revocations", new { infoHash = v1, reason = "deleted" })).Status.Should().Be(HttpStatusCode.Created);
        AdminApiClient.Failure(await AdminApiClient.AnnounceAsync(tracker.HttpV4, v2Bytes, 1, 6701, 0)).Should().Be("this torrent has been removed from the tracker", "revoking one hash revokes the torrent");

        using var garbage = new ByteArrayContent("d4:infoi3ee"u8.ToArray());
        using var refused = await admin.Http.PostAsync(new Uri("torrents/file", UriKind.Relative), garbage);
        refused.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = System.Text.Json.Nodes.JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
        problem["errors"]!["file"]![0]!.GetValue<string>().Should().NotBeNullOrWhiteSpace();
    }

    // BEP 41: option type 2 (URLData), a length byte, the bytes; then 0 (end of options).
    private static byte[] WithUrlData(byte[] announce, string url)
    {
        var data = Encoding.ASCII.GetBytes(url);
        return [.. announce, 2, (byte)data.Length, .. data, 0];
    }
}

/// <summary>The single-node shape: memory store, SQLite registry.</summary>
[TestFixture]
public sealed class SqliteAdminApiTests : AdminApiTests
{
    private protected override Task<TestTracker> StartAsync(params string[] extra) => TestTracker.StartAsync(extra);
}

/// <summary>The cluster shape: Redis store and Redis registry (its own key prefix per tracker).</summary>
[TestFixture]
public sealed class RedisAdminApiTests : AdminApiTests
{
    private RedisServer _redis = null!;

    [OneTimeSetUp]
    public async Task StartRedisAsync() => _redis = await RedisServer.StartNewAsync();

    [OneTimeTearDown]
    public async Task StopRedisAsync() => await _redis.DisposeAsync();

    private protected override Task<TestTracker> StartAsync(params string[] extra) =>
        TestTracker.StartAsync(["--store", "redis", "--redis", _redis.EndPoint, "--Store:RedisKeyPrefix", "t" + Guid.NewGuid().ToString("N")[..12], .. extra]);
}

/// <summary>The cluster shape with the registry in its own Redis (Registry:Redis), apart from the swarms'.</summary>
[TestFixture]
public sealed class SeparateRegistryRedisAdminApiTests : AdminApiTests
{
    private RedisServer _swarms = null!;
    private RedisServer _registry = null!;

    [OneTimeSetUp]
    public async Task StartRedisAsync()
    {
        _swarms = await RedisServer.StartNewAsync();
        _registry = await RedisServer.StartNewAsync();
    }

    [OneTimeTearDown]
    public async Task StopRedisAsync()
    {
        await _swarms.DisposeAsync();
        await _registry.DisposeAsync();
    }

    [Test]
    public async Task Registry_keys_live_in_the_registry_redis_and_swarm_keys_in_the_swarm_redis()
    {
        var prefix = "sep" + Guid.NewGuid().ToString("N")[..8];
        await using var tracker = await TestTracker.StartAsync(["--store", "redis", "--redis", _swarms.EndPoint, "--Registry:Redis", _registry.EndPoint, "--Store:RedisKeyPrefix", prefix, "--Tracker:AccessMode", "registered", .. AdminApiClient.TokenArgs]);
        using var admin = new AdminApiClient(tracker);
        var hash = TestData.NewHash();
        await admin.RegisterAsync(hash);
        await AdminApiClient.AnnounceAsync(tracker.HttpV4, hash, 1, 6601, left: 0);

        await using var swarms = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(_swarms.EndPoint);
        await using var registry = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(_registry.EndPoint);
        var swarmKeys = swarms.GetServer(_swarms.EndPoint).Keys(pattern: prefix + "*").Select(k => k.ToString()).ToList();
        var registryKeys = registry.GetServer(_registry.EndPoint).Keys(pattern: prefix + "*").Select(k => k.ToString()).ToList();

        registryKeys.Should().NotBeEmpty().And.OnlyContain(k => k.Contains("{reg}", StringComparison.Ordinal));
        swarmKeys.Should().NotBeEmpty().And.OnlyContain(k => !k.Contains("{reg}", StringComparison.Ordinal));
    }

    private protected override Task<TestTracker> StartAsync(params string[] extra) =>
        TestTracker.StartAsync(["--store", "redis", "--redis", _swarms.EndPoint, "--Registry:Redis", _registry.EndPoint, "--Store:RedisKeyPrefix", "t" + Guid.NewGuid().ToString("N")[..12], .. extra]);
}
