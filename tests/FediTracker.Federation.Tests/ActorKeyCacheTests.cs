using FediTracker.Federation.Fetching;
using FediTracker.Federation.Keys;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FediTracker.Federation.Tests;

public class ActorKeyCacheTests
{
    private const string ActorId = "https://origin.example/users/alice";
    private const string KeyId = ActorId + "#main-key";

    private FakeTimeProvider _time = null!;
    private FakeDocumentFetcher _fetcher = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider(Signing.Now);
        _fetcher = new FakeDocumentFetcher().Serve(ActorId, FakeDocumentFetcher.Actor(ActorId, KeyId, Signing.Alice.PublicKeyPem));
    }

    private ActorKeyCache Cache(ActorKeyCacheOptions? options = null) =>
        new(_fetcher, Options.Create(options ?? new ActorKeyCacheOptions()), _time);

    [Test]
    public async Task Resolves_a_key_from_the_actor_document_and_keeps_it()
    {
        var cache = Cache();

        var first = await cache.ResolveAsync(KeyId, refresh: false, CancellationToken.None);
        var second = await cache.ResolveAsync(KeyId, refresh: false, CancellationToken.None);

        first.Status.Should().Be(KeyLookupStatus.Found);
        first.Key!.ActorId.Should().Be(ActorId);
        first.Key.PublicKeyPem.Should().Be(Signing.Alice.PublicKeyPem);
        second.Key.Should().BeSameAs(first.Key);
        _fetcher.Fetches.Should().Be(1);
    }

    [Test]
    public async Task Fetches_again_after_the_time_to_live()
    {
        var cache = Cache(new ActorKeyCacheOptions { TimeToLiveSeconds = 600 });
        await cache.ResolveAsync(KeyId, false, CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(599));
        await cache.ResolveAsync(KeyId, false, CancellationToken.None);
        _fetcher.Fetches.Should().Be(1);

        _time.Advance(TimeSpan.FromSeconds(2));
        await cache.ResolveAsync(KeyId, false, CancellationToken.None);
        _fetcher.Fetches.Should().Be(2);
    }

    [Test]
    public async Task A_refresh_refetches_but_not_twice_within_the_minimum_interval()
    {
        var cache = Cache(new ActorKeyCacheOptions { MinRefreshIntervalSeconds = 60 });
        await cache.ResolveAsync(KeyId, false, CancellationToken.None);

        await cache.ResolveAsync(KeyId, refresh: true, CancellationToken.None);
        _fetcher.Fetches.Should().Be(1, "the key was fetched less than a minute ago");

        _time.Advance(TimeSpan.FromSeconds(61));
        await cache.ResolveAsync(KeyId, refresh: true, CancellationToken.None);
        _fetcher.Fetches.Should().Be(2);
    }

    [Test]
    public async Task A_refresh_picks_up_a_rotated_key()
    {
        var cache = Cache();
        await cache.ResolveAsync(KeyId, false, CancellationToken.None);
        using var rotated = ActorKeyPair.Generate();
        _fetcher.Serve(ActorId, FakeDocumentFetcher.Actor(ActorId, KeyId, rotated.PublicKeyPem));
        _time.Advance(TimeSpan.FromMinutes(2));

        var refreshed = await cache.ResolveAsync(KeyId, refresh: true, CancellationToken.None);

        refreshed.Key!.PublicKeyPem.Should().Be(rotated.PublicKeyPem);
    }

    [Test]
    public async Task A_failed_refresh_keeps_the_old_key_but_a_gone_actor_drops_it()
    {
        var cache = Cache();
        await cache.ResolveAsync(KeyId, false, CancellationToken.None);
        _fetcher.Fail(ActorId, FetchFailure.Timeout);
        _time.Advance(TimeSpan.FromMinutes(2));

        var failed = await cache.ResolveAsync(KeyId, refresh: true, CancellationToken.None);
        var afterwards = await cache.ResolveAsync(KeyId, refresh: false, CancellationToken.None);

        failed.Status.Should().Be(KeyLookupStatus.FetchFailed);
        afterwards.Status.Should().Be(KeyLookupStatus.Found);

        _fetcher.Fail(ActorId, FetchFailure.BadStatus, 410);
        _time.Advance(TimeSpan.FromMinutes(2));
        var gone = await cache.ResolveAsync(KeyId, refresh: true, CancellationToken.None);
        var afterGone = await cache.ResolveAsync(KeyId, refresh: false, CancellationToken.None);

        gone.Status.Should().Be(KeyLookupStatus.NotFound);
        afterGone.Status.Should().Be(KeyLookupStatus.NotFound);
    }

    [Test]
    public async Task Failures_are_remembered_briefly()
    {
        var cache = Cache(new ActorKeyCacheOptions { NegativeTimeToLiveSeconds = 120 });
        const string Unknown = "https://origin.example/users/nobody#main-key";

        var first = await cache.ResolveAsync(Unknown, false, CancellationToken.None);
        var second = await cache.ResolveAsync(Unknown, refresh: true, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(121));
        await cache.ResolveAsync(Unknown, false, CancellationToken.None);

        first.Status.Should().Be(KeyLookupStatus.NotFound);
        second.Status.Should().Be(KeyLookupStatus.NotFound);
        _fetcher.Fetches.Should().Be(2);
    }

    [Test]
    public async Task A_fetch_failure_is_reported_as_such()
    {
        _fetcher.Fail(ActorId, FetchFailure.AddressRefused);

        var lookup = await Cache().ResolveAsync(KeyId, false, CancellationToken.None);

        lookup.Status.Should().Be(KeyLookupStatus.FetchFailed);
        lookup.Message.Should().Contain("address_refused");
    }

    [Test]
    public async Task A_key_owned_by_someone_else_is_not_found()
    {
        _fetcher.Serve(ActorId, FakeDocumentFetcher.Actor(ActorId, KeyId, Signing.Alice.PublicKeyPem, owner: "https://origin.example/users/bob"));

        var lookup = await Cache().ResolveAsync(KeyId, false, CancellationToken.None);

        lookup.Status.Should().Be(KeyLookupStatus.NotFound);
        lookup.Message.Should().Contain("not owned");
    }

    [Test]
    public async Task An_actor_that_does_not_list_the_key_is_not_found()
    {
        _fetcher.Serve(ActorId, FakeDocumentFetcher.Actor(ActorId, ActorId + "#other-key", Signing.Alice.PublicKeyPem));

        var lookup = await Cache().ResolveAsync(KeyId, false, CancellationToken.None);

        lookup.Status.Should().Be(KeyLookupStatus.NotFound);
    }

    [Test]
    public async Task A_document_claiming_an_actor_on_another_origin_is_not_trusted()
    {
        const string Foreign = "https://victim.example/users/carol";
        _fetcher.Serve(ActorId, FakeDocumentFetcher.Actor(Foreign, KeyId, Signing.Alice.PublicKeyPem));

        var lookup = await Cache().ResolveAsync(KeyId, false, CancellationToken.None);

        lookup.Status.Should().Be(KeyLookupStatus.NotFound);
        lookup.Message.Should().Contain("origin");
    }

    [Test]
    public async Task A_key_document_leads_to_its_owner_which_must_list_it_back()
    {
        const string KeyDocument = "https://origin.example/keys/1";
        _fetcher.Serve(KeyDocument, $"{{\"id\":\"{KeyDocument}\",\"owner\":\"{ActorId}\",\"publicKeyPem\":\"ignored\"}}");
        _fetcher.Serve(ActorId, FakeDocumentFetcher.Actor(ActorId, KeyDocument, Signing.Alice.PublicKeyPem));

        var lookup = await Cache().ResolveAsync(KeyDocument, false, CancellationToken.None);

        lookup.Status.Should().Be(KeyLookupStatus.Found, lookup.Message);
        lookup.Key!.ActorId.Should().Be(ActorId);
        lookup.Key.PublicKeyPem.Should().Be(Signing.Alice.PublicKeyPem, "the PEM is taken from the actor, not the key document");
    }

    [Test]
    public async Task A_key_document_whose_owner_does_not_list_it_is_not_found()
    {
        const string KeyDocument = "https://origin.example/keys/2";
        _fetcher.Serve(KeyDocument, $"{{\"id\":\"{KeyDocument}\",\"owner\":\"{ActorId}\",\"publicKeyPem\":\"x\"}}");

        var lookup = await Cache().ResolveAsync(KeyDocument, false, CancellationToken.None);

        lookup.Status.Should().Be(KeyLookupStatus.NotFound);
    }

    [TestCase("acct:alice@origin.example")]
    [TestCase("not a url")]
    public async Task Key_ids_that_are_not_http_urls_are_not_found_without_fetching(string keyId)
    {
        var lookup = await Cache().ResolveAsync(keyId, false, CancellationToken.None);

        lookup.Status.Should().Be(KeyLookupStatus.NotFound);
        _fetcher.Fetches.Should().Be(0);
    }

    [Test]
    public async Task Junk_documents_are_not_keys()
    {
        _fetcher.Serve(ActorId, "[1,2,3]");

        var lookup = await Cache().ResolveAsync(KeyId, false, CancellationToken.None);

        lookup.Status.Should().Be(KeyLookupStatus.NotFound);
    }

    [Test]
    public async Task Holds_at_most_its_capacity()
    {
        var cache = Cache(new ActorKeyCacheOptions { Capacity = 20 });
        for (var i = 0; i < 50; i++)
        {
            var actor = $"https://origin.example/users/u{i}";
            _fetcher.Serve(actor, FakeDocumentFetcher.Actor(actor, actor + "#main-key", Signing.Alice.PublicKeyPem));
            await cache.ResolveAsync(actor + "#main-key", false, CancellationToken.None);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        cache.Count.Should().BeLessThanOrEqualTo(20);
        cache.Count.Should().BeGreaterThan(0);
    }

    [Test]
    public async Task Concurrent_lookups_of_one_key_share_one_fetch()
    {
        var cache = Cache();
        _fetcher.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var lookups = Enumerable.Range(0, 8).Select(_ => cache.ResolveAsync(KeyId, false, CancellationToken.None).AsTask()).ToArray();
        _fetcher.Gate.SetResult();
        var results = await Task.WhenAll(lookups);

        results.Should().OnlyContain(r => r.Status == KeyLookupStatus.Found);
        _fetcher.Fetches.Should().Be(1);
    }
}
