namespace FediTracker.Core.Diagnostics;

/// <summary>The <c>reason</c> tag values of the failures metric: a small fixed set, so series stay few.</summary>
public static class FailureKinds
{
    public const string InvalidRequest = "invalid_request";
    public const string StoreUnavailable = "store_unavailable";
    public const string TooManyHashes = "too_many_hashes";
    public const string ConnectionId = "connection_id";
    public const string RateLimited = "rate_limited";
    public const string Revoked = "revoked";
    public const string Suspended = "suspended";
    public const string NotRegistered = "not_registered";
    public const string Passkey = "passkey";

    public const string ResultOk = "ok";
    public const string ResultFailed = "failed";
}
