namespace FediTracker.Core;

/// <summary>The fixed failure messages the tracker sends, in one place so both protocols say the same.</summary>
public static class FailureReasons
{
    public const string StoreUnavailable = "tracker temporarily unavailable, try again later";
    public const string Revoked = "this torrent has been removed from the tracker";
    public const string Suspended = "this torrent is suspended on this tracker";
    public const string NotRegistered = "this torrent is not registered with this tracker";
    public const string PasskeyRequired = "this tracker is private: announce with a valid passkey in the URL";
    public const string RateLimited = "too many requests from your address, slow down";
    public const string TooManyScrapeHashes = "too many info_hash values in one scrape";
}
