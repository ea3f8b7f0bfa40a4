using System.Diagnostics;
using System.Text.Json;
using FediTracker.Core.Registry;
using FediTracker.Federation.Activities;
using FediTracker.Federation.Inbox;
using FediTracker.Federation.Keys;
using FediTracker.Federation.Outbox;
using FediTracker.Protocol;

namespace FediTracker.Federation.Tests;

public sealed class FederationPiecesTests
{
    [TestCase("social.example", "https://social.example/users/a", true)]
    [TestCase("social.example", "https://social.example:8443/users/a", true)]
    [TestCase("social.example:8443", "https://social.example:8443/users/a", true)]
    [TestCase("social.example:8443", "https://social.example/users/a", false)]
    [TestCase("social.example", "https://evil.social.example/users/a", false)]
    [TestCase("social.example", "https://social.example.evil/users/a", false)]
    public void Domain_entries_match_a_host_or_a_host_and_port(string entry, string url, bool matches) =>
        DomainMatcher.Matches([entry], new Uri(url)).Should().Be(matches);

    [TestCase("social.example", true)]
    [TestCase("social.example:443", true)]
    [TestCase("https://social.example", false)]
    [TestCase("social.example/path", false)]
    [TestCase("user@social.example", false)]
    [TestCase("", false)]
    public void Domain_entries_are_validated(string entry, bool valid) => DomainMatcher.IsValidEntry(entry).Should().Be(valid);

    [Test]
    public void The_rate_limiter_allows_a_burst_then_the_rate_per_origin()
    {
        var limiter = new OriginRateLimiter(perMinute: 60, burst: 3);
        var now = Stopwatch.GetTimestamp();
        Enumerable.Range(0, 3).Select(_ => limiter.TryAcquire("a.example", now)).ToList().Should().AllBeEquivalentTo(true);
        limiter.TryAcquire("a.example", now).Should().BeFalse();
        limiter.TryAcquire("b.example", now).Should().BeTrue("each origin has its own bucket");
        limiter.TryAcquire("a.example", now + Stopwatch.Frequency).Should().BeTrue("one token a second at 60 a minute");
        limiter.TryAcquire("a.example", now + Stopwatch.Frequency).Should().BeFalse();
        new OriginRateLimiter(0, 1).TryAcquire("a.example", now).Should().BeTrue("0 turns it off");
    }

    [Test]
    public void Backoff_doubles_from_the_base_up_to_the_cap()
    {
        DeliveryWorker.Backoff(1, 30, 3600).Should().Be(TimeSpan.FromSeconds(30));
        DeliveryWorker.Backoff(2, 30, 3600).Should().Be(TimeSpan.FromSeconds(60));
        DeliveryWorker.Backoff(5, 30, 3600).Should().Be(TimeSpan.FromSeconds(480));
        DeliveryWorker.Backoff(50, 30, 3600).Should().Be(TimeSpan.FromSeconds(3600));
    }

    [Test]
    public void The_claimed_origin_is_the_key_id_host_of_either_scheme()
    {
        var cavage = Signing.SignedPost(Signatures.SignatureScheme.DraftCavage);
        InboxProcessor.ClaimedOrigin(cavage).Should().Be("origin.example");
        var rfc = Signing.SignedPost(Signatures.SignatureScheme.Rfc9421);
        InboxProcessor.ClaimedOrigin(rfc).Should().Be("origin.example");
        InboxProcessor.ClaimedOrigin(new Http.IncomingRequest("POST", "https", "t.example", "/inbox", new Http.HeaderCollection(), Array.Empty<byte>())).Should().Be("-");
    }

    [Test]
    public void The_actor_document_publishes_its_key_and_urls()
    {
        using var key = ActorKeyPair.Generate();
        var actor = new TrackerActor(new FederationOptions { PublicUrl = "https://tracker.example/" }, key);
        using var json = JsonDocument.Parse(actor.ActorDocument());
        var root = json.RootElement;
        root.GetProperty("id").GetString().Should().Be("https://tracker.example/actor");
        root.GetProperty("type").GetString().Should().Be("Service");
        root.GetProperty("inbox").GetString().Should().Be("https://tracker.example/inbox");
        root.GetProperty("publicKey").GetProperty("id").GetString().Should().Be("https://tracker.example/actor#main-key");
        root.GetProperty("publicKey").GetProperty("publicKeyPem").GetString().Should().Be(key.PublicKeyPem);

        actor.IsWebFingerResource("acct:tracker@tracker.example").Should().BeTrue();
        actor.IsWebFingerResource("tracker@TRACKER.example").Should().BeTrue();
        actor.IsWebFingerResource("https://tracker.example/actor").Should().BeTrue();
        actor.IsWebFingerResource("acct:someone@tracker.example").Should().BeFalse();
    }

    [Test]
    public void A_revocation_names_its_target_and_hashes()
    {
        using var key = ActorKeyPair.Generate();
        var actor = new TrackerActor(new FederationOptions { PublicUrl = "https://tracker.example" }, key);
        InfoHash.TryParseHex("0123456789abcdef0123456789abcdef01234567", out var hash).Should().BeTrue();
        var record = new ModerationRecord
        {
            Id = 42,
            Kind = ModerationKind.Revoke,
            Target = ModerationTarget.ForObject("https://social.example/users/a/statuses/1"),
            Reason = "secret reason",
            Source = ModerationSource.Admin,
            By = "alice",
            At = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero),
            Hashes = [hash],
        };

        var text = System.Text.Encoding.UTF8.GetString(actor.Revocation(record));
        using var json = JsonDocument.Parse(text);
        var root = json.RootElement;
        root.GetProperty("id").GetString().Should().Be("https://tracker.example/activities/revocations/42");
        root.GetProperty("type").GetString().Should().Be("Delete");
        root.GetProperty("published").GetString().Should().Be("2025-01-02T03:04:05Z");
        var tombstone = root.GetProperty("object");
        tombstone.GetProperty("id").GetString().Should().Be("https://social.example/users/a/statuses/1");
        tombstone.GetProperty("targetKind").GetString().Should().Be("object");
        tombstone.GetProperty("infoHashes")[0].GetString().Should().Be("0123456789abcdef0123456789abcdef01234567");
        text.Should().NotContain("secret reason").And.NotContain("alice", "reasons and admin names stay private");
        TrackerActor.TargetId(ModerationTarget.ForHash(hash)).Should().Be("urn:btih:0123456789abcdef0123456789abcdef01234567");
    }

    [Test]
    public void Options_are_off_without_a_public_url_and_check_everything_when_on()
    {
        new FederationOptions().IsEnabled.Should().BeFalse();
        new FederationOptions { PublicUrl = "https://t.example" }.IsEnabled.Should().BeTrue();
        new FederationOptions { PublicUrl = "https://t.example", Enabled = false }.IsEnabled.Should().BeFalse();

        var errors = new List<string>();
        new FederationOptions { Enabled = true, OutboxPageSize = 0, DeliveryBaseDelaySeconds = 100, DeliveryMaxDelaySeconds = 10 }.Validate(errors);
        errors.Should().Contain(e => e.Contains("PublicUrl", StringComparison.Ordinal))
            .And.Contain(e => e.Contains("OutboxPageSize", StringComparison.Ordinal))
            .And.Contain(e => e.Contains("DeliveryMaxDelaySeconds", StringComparison.Ordinal));
    }
}
