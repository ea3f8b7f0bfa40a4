using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using FediTracker.Federation.Fetching;
using FediTracker.Federation.Keys;
using FediTracker.Federation.Signatures;
using FediTracker.Storage.Redis.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FediTracker.Server.Tests.Federation;

/// <summary>
/// ActivityPub end to end on a running tracker: a fake instance on loopback follows it as a relay (and checks the
/// signed Accept), delivers signed deletes, suspensions and restores, and sees torrents revoked; and every refusal.
/// </summary>
public abstract class FederationTests
{
    private protected FakeInstance _origin = null!;
    private FakeInstance _stranger = null!;

    private protected abstract Task<TestTracker> StartAsync(params string[] extra);

    [OneTimeSetUp]
    public async Task StartInstancesAsync()
    {
        _origin = await FakeInstance.StartAsync();
        _stranger = await FakeInstance.StartAsync();
    }

    [OneTimeTearDown]
    public async Task StopInstancesAsync()
    {
        await _origin.DisposeAsync();
        await _stranger.DisposeAsync();
    }

    private Task<FederatedTracker> StartTrackerAsync(params string[] extra) =>
        FederatedTracker.StartAsync(args => StartAsync(args), [_origin.Domain], extra);

    private static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);

    private protected static async Task<string> StatusAsync(AdminApiClient admin, byte[] hash)
    {
        var (status, body) = await admin.GetAsync($"torrents/{Hex(hash)}");
        status.Should().Be(HttpStatusCode.OK);
        return body!["status"]!.GetValue<string>();
    }

    private static Task<string> WaitForStatusAsync(AdminApiClient admin, byte[] hash, string expected) =>
        FakeInstance.EventuallyAsync(async () => await StatusAsync(admin, hash) == expected ? "ok" : null, $"{Hex(hash)} to be {expected}");

    [Test]
    public async Task A_trusted_instance_follows_as_a_relay_gets_a_signed_accept_and_its_delete_revokes_the_torrent()
    {
        await using var fed = await StartTrackerAsync();
        using var admin = new AdminApiClient(fed.Tracker);
        var hash = TestData.NewHash();
        var status = _origin.Status("alice", 1);
        await admin.RegisterAsync(hash, objectUri: status, actorUri: _origin.Actor("alice"));
        AdminApiClient.Failure(await AdminApiClient.AnnounceAsync(fed.Tracker.HttpV4, hash, 1, 6001, left: 0)).Should().BeNull();

        var follow = _origin.Follow("alice");
        var before = _origin.Received.Count;
        (await _origin.SendAsync(fed.Inbox, "alice", follow)).Should().Be((HttpStatusCode.Accepted, "followed"));

        var accept = await FakeInstance.EventuallyAsync(
            () => Task.FromResult(_origin.Received.Skip(before).FirstOrDefault(r => Encoding.UTF8.GetString(r.Body.Span).Contains("\"Accept\"", StringComparison.Ordinal))),
            "the Accept");
        var json = JsonNode.Parse(accept.Body.Span)!;
        json["type"]!.GetValue<string>().Should().Be("Accept");
        json["actor"]!.GetValue<string>().Should().Be(fed.ActorId);
        json["object"]!["id"]!.GetValue<string>().Should().Be(follow["id"]!.GetValue<string>());
        json["object"]!["object"]!.GetValue<string>().Should().Be("https://www.w3.org/ns/activitystreams#Public");

        // The Accept verifies against the key the tracker publishes in its actor document, fetched over HTTP.
        using var fetcher = new SafeFetcher(Options.Create(new SafeFetcherOptions { AllowLoopback = true, AllowHttp = true }));
        var verifier = new SignatureVerifier(new ActorKeyCache(fetcher, Options.Create(new ActorKeyCacheOptions()), TimeProvider.System), Options.Create(new SignatureVerifierOptions()), TimeProvider.System);
        var verification = await verifier.VerifyAsync(accept, CancellationToken.None);
        verification.IsValid.Should().BeTrue(verification.Message);
        verification.ActorId.Should().Be(fed.ActorId);

        (await _origin.SendAsync(fed.Inbox, "alice", _origin.DeleteStatus("alice", status))).Should().Be((HttpStatusCode.Accepted, "revoked"));

        (await StatusAsync(admin, hash)).Should().Be("revoked", "the delete takes effect before the inbox answers");
        AdminApiClient.Failure(await AdminApiClient.AnnounceAsync(fed.Tracker.HttpV4, hash, 1, 6001, left: 0)).Should().NotBeNull();
        var (_, moderations) = await admin.GetAsync("revocations");
        var last = moderations!["items"]!.AsArray().Last()!;
        last["source"]!.GetValue<string>().Should().Be("activitypub");
        last["by"]!.GetValue<string>().Should().Be(_origin.Actor("alice"));
    }

    [Test]
    public async Task RFC_9421_signatures_are_accepted_too()
    {
        await using var fed = await StartTrackerAsync();
        using var admin = new AdminApiClient(fed.Tracker);
        var hash = TestData.NewHash();
        var status = _origin.Status("alice", 2);
        await admin.RegisterAsync(hash, objectUri: status, actorUri: _origin.Actor("alice"));

        (await _origin.SendAsync(fed.Inbox, "alice", _origin.DeleteStatus("alice", status), scheme: SignatureScheme.Rfc9421)).Should().Be((HttpStatusCode.Accepted, "revoked"));
        (await StatusAsync(admin, hash)).Should().Be("revoked");
    }

    [Test]
    public async Task A_follow_from_an_untrusted_instance_is_refused()
    {
        await using var fed = await StartTrackerAsync();
        (await _stranger.SendAsync(fed.Inbox, "eve", _stranger.Follow("eve"))).Should().Be((HttpStatusCode.Forbidden, "untrusted_follow"));
        var (status, _) = await _stranger.SendAsync(fed.Inbox, "eve", _stranger.Follow("eve", fed.ActorId));
        status.Should().Be(HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task A_delete_from_an_untrusted_instance_changes_nothing()
    {
        await using var fed = await StartTrackerAsync();
        using var admin = new AdminApiClient(fed.Tracker);
        var hash = TestData.NewHash();
        var status = _stranger.Status("eve", 1);
        await admin.RegisterAsync(hash, objectUri: status, actorUri: _stranger.Actor("eve"));

        (await _stranger.SendAsync(fed.Inbox, "eve", _stranger.DeleteStatus("eve", status))).Should().Be((HttpStatusCode.Forbidden, "untrusted_domain"));
        (await StatusAsync(admin, hash)).Should().Be("active");
    }

    [Test]
    public async Task A_delete_of_an_object_on_another_origin_is_refused()
    {
        await using var fed = await StartTrackerAsync();
        using var admin = new AdminApiClient(fed.Tracker);
        var hash = TestData.NewHash();
        var status = _stranger.Status("eve", 2);
        await admin.RegisterAsync(hash, objectUri: status, actorUri: _stranger.Actor("eve"));

        // alice (trusted origin, valid signature) claims to delete a post that lives elsewhere.
        (await _origin.SendAsync(fed.Inbox, "alice", _origin.DeleteStatus("alice", status))).Should().Be((HttpStatusCode.Forbidden, "origin_mismatch"));

        // alice signs an activity claiming to be from eve.
        var forged = _stranger.DeleteStatus("eve", status);
        (await _origin.SendAsync(fed.Inbox, "alice", forged)).Should().Be((HttpStatusCode.Forbidden, "origin_mismatch"));
        (await StatusAsync(admin, hash)).Should().Be("active");
    }

    [Test]
    public async Task A_delete_by_an_actor_other_than_the_registered_one_is_refused()
    {
        await using var fed = await StartTrackerAsync();
        using var admin = new AdminApiClient(fed.Tracker);
        var hash = TestData.NewHash();
        var status = _origin.Status("bob", 1);
        await admin.RegisterAsync(hash, objectUri: status, actorUri: _origin.Actor("bob"));

        // Same origin, but mallory is not the actor the torrent was registered for.
        var delete = _origin.DeleteStatus("mallory", status);
        (await _origin.SendAsync(fed.Inbox, "mallory", delete)).Should().Be((HttpStatusCode.Forbidden, "not_registered_actor"));
        (await StatusAsync(admin, hash)).Should().Be("active");
    }

    [Test]
    public async Task A_replayed_delete_is_a_duplicate_and_makes_one_moderation()
    {
        await using var fed = await StartTrackerAsync();
        using var admin = new AdminApiClient(fed.Tracker);
        var status = _origin.Status("alice", 3);
        await admin.RegisterAsync(TestData.NewHash(), objectUri: status, actorUri: _origin.Actor("alice"));
        var delete = _origin.DeleteStatus("alice", status);

        (await _origin.SendAsync(fed.Inbox, "alice", delete)).Should().Be((HttpStatusCode.Accepted, "revoked"));
        (await _origin.SendAsync(fed.Inbox, "alice", delete)).Should().Be((HttpStatusCode.Accepted, "duplicate"));

        var (_, moderations) = await admin.GetAsync("revocations");
        moderations!["items"]!.AsArray().Count(m => m!["target"]!.GetValue<string>() == status).Should().Be(1);
    }

    [Test]
    public async Task Unsigned_and_badly_signed_requests_get_401_and_change_nothing()
    {
        await using var fed = await StartTrackerAsync();
        using var admin = new AdminApiClient(fed.Tracker);
        var hash = TestData.NewHash();
        var status = _origin.Status("alice", 4);
        await admin.RegisterAsync(hash, objectUri: status, actorUri: _origin.Actor("alice"));

        (await _origin.SendAsync(fed.Inbox, "alice", _origin.DeleteStatus("alice", status), sign: false)).Should().Be((HttpStatusCode.Unauthorized, "signature_missing_signature"));
        using var wrongKey = ActorKeyPair.Generate();
        (await _origin.SendAsync(fed.Inbox, "alice", _origin.DeleteStatus("alice", status), key: wrongKey)).Should().Be((HttpStatusCode.Unauthorized, "signature_bad_signature"));
        (await StatusAsync(admin, hash)).Should().Be("active");
    }

    [Test]
    public async Task An_oversize_body_gets_413()
    {
        await using var fed = await StartTrackerAsync("--Federation:MaxInboxBodyBytes", "4096");
        var activity = _origin.DeleteStatus("alice", _origin.Status("alice", 5));
        activity["padding"] = new string('x', 5000);
        var (status, reason) = await _origin.SendAsync(fed.Inbox, "alice", activity);
        status.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        reason.Should().Be("too_large");
    }

    [Test]
    public async Task A_delete_before_the_registration_is_applied_when_the_object_is_registered()
    {
        await using var fed = await StartTrackerAsync();
        using var admin = new AdminApiClient(fed.Tracker);
        var status = _origin.Status("alice", 6);
        (await _origin.SendAsync(fed.Inbox, "alice", _origin.DeleteStatus("alice", status))).Should().Be((HttpStatusCode.Accepted, "pending"));

        var other = TestData.NewHash();
        await admin.RegisterAsync(other, objectUri: _origin.Status("alice", 7), actorUri: _origin.Actor("alice"));
        var hash = TestData.NewHash();
        await admin.RegisterAsync(hash, objectUri: status, actorUri: _origin.Actor("alice"));

        (await StatusAsync(admin, hash)).Should().Be("revoked", "the pending delete applies during the registration");
        (await StatusAsync(admin, other)).Should().Be("active");
    }

    [Test]
    public async Task A_pending_delete_does_not_apply_to_a_registration_by_another_actor()
    {
        await using var fed = await StartTrackerAsync();
        using var admin = new AdminApiClient(fed.Tracker);
        var status = _origin.Status("carol", 1);
        (await _origin.SendAsync(fed.Inbox, "mallory", _origin.DeleteStatus("mallory", status))).Should().Be((HttpStatusCode.Accepted, "pending"));

        var hash = TestData.NewHash();
        await admin.RegisterAsync(hash, objectUri: status, actorUri: _origin.Actor("carol"));
        (await StatusAsync(admin, hash)).Should().Be("active");
    }

    [Test]
    public async Task Deleting_the_actor_revokes_all_its_torrents_and_suspension_follows_the_origin()
    {
        await using var fed = await StartTrackerAsync();
        using var admin = new AdminApiClient(fed.Tracker);
        var dave1 = TestData.NewHash();
        var dave2 = TestData.NewHash();
        await admin.RegisterAsync(dave1, objectUri: _origin.Status("dave", 1), actorUri: _origin.Actor("dave"));
        await admin.RegisterAsync(dave2, objectUri: _origin.Status("dave", 2), actorUri: _origin.Actor("dave"));
        var frank = TestData.NewHash();
        await admin.RegisterAsync(frank, objectUri: _origin.Status("frank", 1), actorUri: _origin.Actor("frank"));

        // Suspension, then an unsuspension the origin does not confirm, then one it confirms.
        _origin.SetSuspended("frank", true);
        (await _origin.SendAsync(fed.Inbox, "frank", _origin.UpdateActor("frank", suspended: true))).Should().Be((HttpStatusCode.Accepted, "suspended"));
        (await StatusAsync(admin, frank)).Should().Be("suspended");
        (await _origin.SendAsync(fed.Inbox, "frank", _origin.UpdateActor("frank", suspended: false))).Should().Be((HttpStatusCode.Accepted, "still_suspended"));
        (await StatusAsync(admin, frank)).Should().Be("suspended");
        _origin.SetSuspended("frank", false);
        (await _origin.SendAsync(fed.Inbox, "frank", _origin.UpdateActor("frank", suspended: false))).Should().Be((HttpStatusCode.Accepted, "restored"));
        (await StatusAsync(admin, frank)).Should().Be("active");

        (await _origin.SendAsync(fed.Inbox, "dave", _origin.DeleteActor("dave"))).Should().Be((HttpStatusCode.Accepted, "actor_revoked"));
        (await StatusAsync(admin, dave1)).Should().Be("revoked");
        (await StatusAsync(admin, dave2)).Should().Be("revoked");
        (await StatusAsync(admin, frank)).Should().Be("active");
    }

    [Test]
    public async Task An_admin_suspension_is_not_lifted_by_the_origin()
    {
        await using var fed = await StartTrackerAsync();
        using var admin = new AdminApiClient(fed.Tracker);
        var hash = TestData.NewHash();
        await admin.RegisterAsync(hash, objectUri: _origin.Status("gina", 1), actorUri: _origin.Actor("gina"));
        (await admin.PostAsync("suspensions", new { actorUri = _origin.Actor("gina"), reason = "local decision" })).Status.Should().Be(HttpStatusCode.Created);

        (await _origin.SendAsync(fed.Inbox, "gina", _origin.UpdateActor("gina", suspended: false))).Should().Be((HttpStatusCode.Accepted, "ignored"));
        (await StatusAsync(admin, hash)).Should().Be("suspended");
    }

    [Test]
    public async Task Actor_document_and_webfinger_are_served_with_their_content_types()
    {
        await using var fed = await StartTrackerAsync();
        using var http = new HttpClient();

        using var activity = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, fed.ActorId) { Headers = { { "Accept", "application/activity+json" } } });
        activity.StatusCode.Should().Be(HttpStatusCode.OK);
        activity.Content.Headers.ContentType!.MediaType.Should().Be("application/activity+json");
        var actor = JsonNode.Parse(await activity.Content.ReadAsStringAsync())!;
        actor["type"]!.GetValue<string>().Should().Be("Service");
        actor["id"]!.GetValue<string>().Should().Be(fed.ActorId);
        actor["inbox"]!.GetValue<string>().Should().Be(fed.Inbox);
        actor["outbox"]!.GetValue<string>().Should().Be(fed.Url + "/outbox");
        actor["followers"]!.GetValue<string>().Should().Be(fed.Url + "/followers");
        actor["preferredUsername"]!.GetValue<string>().Should().Be("tracker");
        actor["publicKey"]!["owner"]!.GetValue<string>().Should().Be(fed.ActorId);
        actor["publicKey"]!["publicKeyPem"]!.GetValue<string>().Should().StartWith("-----BEGIN PUBLIC KEY-----");

        using var ld = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, fed.ActorId) { Headers = { { "Accept", "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"" } } });
        ld.Content.Headers.ContentType!.MediaType.Should().Be("application/ld+json");
        ld.Content.Headers.ContentType!.Parameters.Should().Contain(p => p.Name == "profile");

        var host = new Uri(fed.Url).Authority;
        using var finger = await http.GetAsync(new Uri($"{fed.Url}/.well-known/webfinger?resource=acct:tracker@{host}"));
        finger.StatusCode.Should().Be(HttpStatusCode.OK);
        finger.Content.Headers.ContentType!.MediaType.Should().Be("application/jrd+json");
        var jrd = JsonNode.Parse(await finger.Content.ReadAsStringAsync())!;
        jrd["links"]!.AsArray().Single()!["href"]!.GetValue<string>().Should().Be(fed.ActorId);
        (await http.GetAsync(new Uri($"{fed.Url}/.well-known/webfinger?resource=acct:nobody@{host}"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await http.GetAsync(new Uri($"{fed.Url}/nothing-here"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await http.GetAsync(new Uri($"{fed.Url}/inbox"))).StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
    }

    [Test]
    public async Task A_revocation_on_one_tracker_reaches_a_peer_that_follows_it_and_only_for_the_peers_domains()
    {
        // Tracker A runs beside social.example; tracker B follows A and lets A speak for social.example only.
        var portB = FakeInstance.FreePort();
        await using var a = await FederatedTracker.StartAsync(args => StartAsync(args), [], "--Federation:Peers:0:Actor", $"http://127.0.0.1:{portB}/actor");
        await using var b = await FederatedTracker.StartOnPortAsync(
            portB,
            args => StartAsync(args),
            [],
            "--Federation:Peers:0:Actor", a.ActorId,
            "--Federation:Peers:0:Domains:0", "social.example");
        using var adminA = new AdminApiClient(a.Tracker);
        using var adminB = new AdminApiClient(b.Tracker);

        var ours = TestData.NewHash();
        var foreign = TestData.NewHash();
        const string Status = "https://social.example/users/alice/statuses/9";
        const string Foreign = "https://elsewhere.example/users/zed/statuses/1";
        foreach (var admin in new[] { adminA, adminB })
        {
            await admin.RegisterAsync(ours, objectUri: Status, actorUri: "https://social.example/users/alice");
            await admin.RegisterAsync(foreign, objectUri: Foreign, actorUri: "https://elsewhere.example/users/zed");
        }

        // B's follow of A is accepted (A lists B as a peer) and stored before A revokes anything.
        using var http = new HttpClient();
        await FakeInstance.EventuallyAsync(async () =>
        {
            var followers = JsonNode.Parse(await http.GetStringAsync(new Uri(a.Url + "/followers")))!;
            return followers["totalItems"]!.GetValue<int>() == 1 ? "ok" : null;
        }, "B to follow A");

        (await adminA.PostAsync("revocations", new { objectUri = Status, reason = "deleted" })).Status.Should().Be(HttpStatusCode.Created);
        (await adminA.PostAsync("revocations", new { objectUri = Foreign, reason = "deleted" })).Status.Should().Be(HttpStatusCode.Created);

        await WaitForStatusAsync(adminB, ours, "revoked");
        var (_, moderations) = await adminB.GetAsync("revocations");
        var applied = moderations!["items"]!.AsArray().Last()!;
        applied["source"]!.GetValue<string>().Should().Be("federation");
        applied["by"]!.GetValue<string>().Should().Be(a.ActorId);

        // A's feed lists both revocations; B applied the foreign one to nothing. The feed is read after both were
        // delivered (deliveries leave in order), so the foreign one has had its chance to arrive.
        var page = JsonNode.Parse(await http.GetStringAsync(new Uri(a.Url + "/outbox?after=0")))!;
        page["type"]!.GetValue<string>().Should().Be("OrderedCollectionPage");
        var items = page["orderedItems"]!.AsArray();
        items.Select(i => i!["object"]!["id"]!.GetValue<string>()).Should().Contain([Status, Foreign]);
        items.Should().OnlyContain(i => i!["type"]!.GetValue<string>() == "Delete" && i["actor"]!.GetValue<string>() == a.ActorId);
        await FakeInstance.EventuallyAsync(async () =>
        {
            var queued = await a.Tracker.Services.GetRequiredService<FediTracker.Core.FederationState.IFederationStore>().CountQueuedAsync(CancellationToken.None);
            return queued == 0 ? "ok" : null;
        }, "A's deliveries to leave");
        (await StatusAsync(adminB, foreign)).Should().Be("active", "A does not speak for elsewhere.example");
    }
}

/// <summary>The single-node shape: SQLite registry and SQLite federation state.</summary>
[TestFixture]
public sealed class SqliteFederationTests : FederationTests
{
    private protected override Task<TestTracker> StartAsync(params string[] extra) => TestTracker.StartAsync(extra);

    [Test]
    public async Task A_replay_after_a_restart_changes_nothing()
    {
        var directory = Directory.CreateTempSubdirectory("feditracker-fed-").FullName;
        var port = FakeInstance.FreePort();
        string[] registry = ["--Registry:Path", Path.Combine(directory, "registry.db")];
        var status = _origin.Status("alice", 100);
        var delete = _origin.DeleteStatus("alice", status);
        var hash = TestData.NewHash();

        var first = await FederatedTracker.StartInAsync(directory, port, args => StartAsync(args), [_origin.Domain], registry);
        using (var admin = new AdminApiClient(first.Tracker))
        {
            await admin.RegisterAsync(hash, objectUri: status, actorUri: _origin.Actor("alice"));
            (await _origin.SendAsync(first.Inbox, "alice", delete)).Should().Be((HttpStatusCode.Accepted, "revoked"));

            // An admin overrules the origin; a replay must not undo that.
            (await admin.PostAsync("restorations", new { objectUri = status, reason = "appeal upheld" })).Status.Should().Be(HttpStatusCode.Created);
            (await StatusAsync(admin, hash)).Should().Be("active");
        }

        await first.StopAsync();
        await using var second = await FederatedTracker.StartInAsync(directory, port, args => StartAsync(args), [_origin.Domain], registry);
        using var again = new AdminApiClient(second.Tracker);
        (await _origin.SendAsync(second.Inbox, "alice", delete)).Should().Be((HttpStatusCode.Accepted, "duplicate"));
        (await StatusAsync(again, hash)).Should().Be("active");
    }
}

/// <summary>The cluster shape: Redis store, registry and federation state.</summary>
[TestFixture]
public sealed class RedisFederationTests : FederationTests
{
    private RedisServer _redis = null!;

    [OneTimeSetUp]
    public async Task StartRedisAsync() => _redis = await RedisServer.StartNewAsync();

    [OneTimeTearDown]
    public async Task StopRedisAsync() => await _redis.DisposeAsync();

    private protected override Task<TestTracker> StartAsync(params string[] extra) =>
        TestTracker.StartAsync(["--store", "redis", "--redis", _redis.EndPoint, "--Store:RedisKeyPrefix", "f" + Guid.NewGuid().ToString("N")[..12], .. extra]);
}
