namespace FediTracker.Federation.Fetching;

/// <summary>Fetches ActivityPub documents (actors, keys, objects). <see cref="SafeFetcher"/> is the real one.</summary>
public interface IActivityDocumentFetcher
{
    /// <summary>
    /// GETs <paramref name="uri"/> asking for ActivityPub JSON and returns the successful response. Throws
    /// <see cref="FetchException"/> for every refusal or failure, including a non-success status.
    /// </summary>
    Task<FetchResponse> GetActivityDocumentAsync(Uri uri, CancellationToken cancellationToken);
}
