namespace FediTracker.Core;

/// <summary>
/// The answer to an announce. On failure <see cref="FailureReason"/> is set (a fixed message, never built per
/// request) and <see cref="RetryNever"/> says whether the client should give up for good (BEP 31).
/// </summary>
public readonly record struct AnnounceOutcome(
    string? FailureReason,
    bool RetryNever,
    int Interval,
    int MinInterval,
    int Complete,
    int Incomplete,
    long Downloaded,
    int PeerCount)
{
    public bool Succeeded => FailureReason is null;

    public static AnnounceOutcome Fail(string reason, bool retryNever = false) => new(reason, retryNever, 0, 0, 0, 0, 0, 0);
}
