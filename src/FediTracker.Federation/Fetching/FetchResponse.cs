namespace FediTracker.Federation.Fetching;

/// <summary>A response read whole, within the size bound.</summary>
public sealed class FetchResponse
{
    public FetchResponse(Uri uri, int statusCode, string? mediaType, byte[] body)
    {
        Uri = uri;
        StatusCode = statusCode;
        MediaType = mediaType;
        Body = body;
    }

    /// <summary>The URL that answered, after any redirects.</summary>
    public Uri Uri { get; }

    public int StatusCode { get; }

    /// <summary>The media type of Content-Type without parameters, lower-cased; null when absent.</summary>
    public string? MediaType { get; }

    public byte[] Body { get; }

    public bool IsSuccess => StatusCode is >= 200 and < 300;
}
