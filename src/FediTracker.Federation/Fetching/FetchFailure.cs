namespace FediTracker.Federation.Fetching;

/// <summary>Why a fetch failed. Each has a fixed metrics label (<see cref="FetchException.Reason"/>).</summary>
public enum FetchFailure
{
    /// <summary>Not an absolute http(s) URL, or it carries user info.</summary>
    InvalidUrl,

    /// <summary>Plain http where https is required, or a scheme other than http(s).</summary>
    SchemeRefused,

    /// <summary>The host is, or resolves to, an address the options do not allow (loopback, private, link-local, …).</summary>
    AddressRefused,

    /// <summary>The host name did not resolve.</summary>
    DnsFailed,

    /// <summary>No connection could be made, or it broke.</summary>
    ConnectFailed,

    /// <summary>The whole exchange, redirects and body included, took longer than allowed.</summary>
    Timeout,

    /// <summary>More redirects than allowed, or a redirect without a usable Location.</summary>
    TooManyRedirects,

    /// <summary>The body is larger than allowed.</summary>
    TooLarge,

    /// <summary>The response status is not a success.</summary>
    BadStatus,

    /// <summary>The response is not ActivityPub JSON.</summary>
    BadContentType,
}
