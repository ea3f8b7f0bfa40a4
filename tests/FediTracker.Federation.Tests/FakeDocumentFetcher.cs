using System.Collections.Concurrent;
using System.Text;
using FediTracker.Federation.Fetching;

namespace FediTracker.Federation.Tests;

/// <summary>Serves documents from memory by URL (without fragment); counts fetches; can hold fetches until released.</summary>
internal sealed class FakeDocumentFetcher : IActivityDocumentFetcher
{
    private readonly ConcurrentDictionary<string, Func<FetchResponse>> _documents = new(StringComparer.Ordinal);
    private int _fetches;

    public int Fetches => Volatile.Read(ref _fetches);

    /// <summary>When set, every fetch waits for it.</summary>
    public TaskCompletionSource? Gate { get; set; }

    public FakeDocumentFetcher Serve(string url, string json)
    {
        _documents[url] = () => new FetchResponse(new Uri(url), 200, "application/activity+json", Encoding.UTF8.GetBytes(json));
        return this;
    }

    public FakeDocumentFetcher Fail(string url, FetchFailure failure, int? status = null)
    {
        _documents[url] = () => throw new FetchException(failure, $"{url}: {failure}", status);
        return this;
    }

    public async Task<FetchResponse> GetActivityDocumentAsync(Uri uri, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _fetches);
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        var key = uri.GetLeftPart(UriPartial.Query);
        return _documents.TryGetValue(key, out var serve)
            ? serve()
            : throw new FetchException(FetchFailure.BadStatus, $"{uri} answered 404", 404);
    }

    public static string Actor(string id, string keyId, string pem, string? owner = null) =>
        System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["@context"] = new[] { "https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1" },
            ["id"] = id,
            ["type"] = "Person",
            ["inbox"] = id + "/inbox",
            ["publicKey"] = new Dictionary<string, string> { ["id"] = keyId, ["owner"] = owner ?? id, ["publicKeyPem"] = pem },
        });
}
