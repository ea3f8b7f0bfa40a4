using System.Net.Http.Headers;
using System.Text;
using FediTracker.Federation.Fetching;
using FediTracker.Federation.Keys;
using FediTracker.Federation.Signatures;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FediTracker.Federation.Tests;

/// <summary>
/// The pieces together: a fake origin instance on loopback publishes an actor with its key; a request signed with that
/// key is verified by fetching the actor through the SSRF-safe fetcher; a rotated key is picked up after one failure.
/// </summary>
[NonParallelizable]
public class EndToEndVerificationTests
{
    private LoopbackOrigin _origin = null!;
    private string _publishedPem = null!;
    private string _actorId = null!;
    private string _keyId = null!;

    [OneTimeSetUp]
    public async Task StartOrigin()
    {
        _publishedPem = Signing.Alice.PublicKeyPem;
        _origin = await LoopbackOrigin.StartAsync(app =>
            app.MapGet("/users/alice", () => Results.Text(FakeDocumentFetcher.Actor(_actorId, _keyId, _publishedPem), "application/activity+json")));
        _actorId = _origin.Url("/users/alice").AbsoluteUri;
        _keyId = _actorId + "#main-key";
    }

    [OneTimeTearDown]
    public async Task StopOrigin() => await _origin.DisposeAsync();

    [TestCase(SignatureScheme.DraftCavage)]
    [TestCase(SignatureScheme.Rfc9421)]
    public async Task A_request_signed_by_a_remote_actor_verifies_and_a_rotated_key_is_picked_up(SignatureScheme scheme)
    {
        _publishedPem = Signing.Alice.PublicKeyPem;
        var time = new FakeTimeProvider(Signing.Now);
        using var fetcher = new SafeFetcher(Options.Create(new SafeFetcherOptions { AllowLoopback = true, AllowHttp = true }));
        var cache = new ActorKeyCache(fetcher, Options.Create(new ActorKeyCacheOptions()), time);
        var verifier = new SignatureVerifier(cache, Options.Create(new SignatureVerifierOptions()), time);

        var first = await verifier.VerifyAsync(Sign(scheme, Signing.Alice, time), CancellationToken.None);

        first.IsValid.Should().BeTrue(first.ToString());
        first.ActorId.Should().Be(_actorId);

        using var rotated = ActorKeyPair.Generate();
        _publishedPem = rotated.PublicKeyPem;
        time.Advance(TimeSpan.FromMinutes(5));
        var hitsBefore = _origin.Hits;

        var afterRotation = await verifier.VerifyAsync(Sign(scheme, rotated, time), CancellationToken.None);

        afterRotation.IsValid.Should().BeTrue(afterRotation.ToString());
        (_origin.Hits - hitsBefore).Should().Be(1, "the key is refetched exactly once");

        var stillOldKey = await verifier.VerifyAsync(Sign(scheme, Signing.Alice, time), CancellationToken.None);
        stillOldKey.Failure.Should().Be(SignatureFailure.BadSignature);
    }

    [Test]
    public async Task Without_loopback_allowed_the_key_fetch_is_refused()
    {
        var time = new FakeTimeProvider(Signing.Now);
        using var fetcher = new SafeFetcher(Options.Create(new SafeFetcherOptions { AllowHttp = true }));
        var verifier = new SignatureVerifier(new ActorKeyCache(fetcher, Options.Create(new ActorKeyCacheOptions()), time), Options.Create(new SignatureVerifierOptions()), time);

        var result = await verifier.VerifyAsync(Sign(SignatureScheme.DraftCavage, Signing.Alice, time), CancellationToken.None);

        result.Failure.Should().Be(SignatureFailure.KeyFetchFailed);
    }

    private Http.IncomingRequest Sign(SignatureScheme scheme, ActorKeyPair key, TimeProvider time)
    {
        var body = Encoding.UTF8.GetBytes($"{{\"type\":\"Delete\",\"actor\":\"{_actorId}\"}}");
        using var message = new HttpRequestMessage(HttpMethod.Post, Signing.Inbox) { Content = new ByteArrayContent(body) };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/activity+json");
        new RequestSigner(time).Sign(message, body, _keyId, key, scheme);
        return Requests.FromMessage(message, body);
    }
}
