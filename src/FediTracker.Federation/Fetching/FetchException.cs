namespace FediTracker.Federation.Fetching;

/// <summary>A fetch the <see cref="SafeFetcher"/> refused or could not complete.</summary>
public sealed class FetchException : Exception
{
    public FetchException(FetchFailure failure, string message, int? statusCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
        StatusCode = statusCode;
    }

    public FetchException()
        : this(FetchFailure.ConnectFailed, "The fetch failed.")
    {
    }

    public FetchException(string message)
        : this(FetchFailure.ConnectFailed, message)
    {
    }

    public FetchException(string message, Exception innerException)
        : this(FetchFailure.ConnectFailed, message, null, innerException)
    {
    }

    public FetchFailure Failure { get; }

    /// <summary>The HTTP status, for <see cref="FetchFailure.BadStatus"/>.</summary>
    public int? StatusCode { get; }

    /// <summary>A fixed metrics label, e.g. <c>address_refused</c>.</summary>
    public string Reason => Failure switch
    {
        FetchFailure.InvalidUrl => "invalid_url",
        FetchFailure.SchemeRefused => "scheme_refused",
        FetchFailure.AddressRefused => "address_refused",
        FetchFailure.DnsFailed => "dns_failed",
        FetchFailure.ConnectFailed => "connect_failed",
        FetchFailure.Timeout => "timeout",
        FetchFailure.TooManyRedirects => "too_many_redirects",
        FetchFailure.TooLarge => "too_large",
        FetchFailure.BadStatus => "bad_status",
        FetchFailure.BadContentType => "bad_content_type",
        _ => "unknown",
    };
}
