using System.Net.Http.Headers;
using System.Text;
using FediTracker.Federation.Http;
using FediTracker.Federation.Keys;
using FediTracker.Federation.Signatures;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FediTracker.Federation.Tests;

/// <summary>Shared pieces for signing and verifying in tests.</summary>
internal static class Signing
{
    public const string KeyId = "https://origin.example/users/alice#main-key";
    public const string ActorId = "https://origin.example/users/alice";
    public const string Inbox = "https://tracker.example/inbox";

    public static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly Lazy<ActorKeyPair> LazyAlice = new(ActorKeyPair.Generate);
    private static readonly Lazy<ActorKeyPair> LazyMallory = new(ActorKeyPair.Generate);

    /// <summary>The signer's key, generated once per run.</summary>
    public static ActorKeyPair Alice => LazyAlice.Value;

    /// <summary>Some other key.</summary>
    public static ActorKeyPair Mallory => LazyMallory.Value;

    public static byte[] Body { get; } = Encoding.UTF8.GetBytes("{\"type\":\"Delete\",\"actor\":\"https://origin.example/users/alice\"}");

    public static FakeKeyResolver AliceResolver() => new FakeKeyResolver().Add(Alice.ToPublicKey(KeyId, ActorId));

    public static SignatureVerifier Verifier(IActorKeyResolver resolver, DateTimeOffset now, SignatureVerifierOptions? options = null) =>
        new(resolver, Options.Create(options ?? new SignatureVerifierOptions()), new FakeTimeProvider(now));

    /// <summary>A POST of <paramref name="body"/> to the inbox, signed at <paramref name="signedAt"/> with <paramref name="key"/>.</summary>
    public static IncomingRequest SignedPost(SignatureScheme scheme, byte[]? body = null, ActorKeyPair? key = null, DateTimeOffset? signedAt = null, string target = Inbox)
    {
        body ??= Body;
        using var message = new HttpRequestMessage(HttpMethod.Post, target) { Content = new ByteArrayContent(body) };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/activity+json");
        new RequestSigner(new FakeTimeProvider(signedAt ?? Now)).Sign(message, body, KeyId, key ?? Alice, scheme);
        return Requests.FromMessage(message, body);
    }

    /// <summary>A GET of <paramref name="target"/>, signed.</summary>
    public static IncomingRequest SignedGet(SignatureScheme scheme, string target, ActorKeyPair? key = null)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, target);
        new RequestSigner(new FakeTimeProvider(Now)).Sign(message, [], KeyId, key ?? Alice, scheme);
        return Requests.FromMessage(message, []);
    }
}
