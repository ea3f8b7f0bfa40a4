namespace FediTracker.Federation.Inbox;

/// <summary>What the inbox answers: an HTTP status and a fixed reason (a metrics label, also sent as the body).</summary>
public readonly record struct InboxResult(int Status, string Reason)
{
    public static InboxResult Accepted(string reason = "accepted") => new(202, reason);

    public static InboxResult Ignored(string reason = "ignored") => new(202, reason);

    public bool IsRejection => Status >= 400 || Reason is "duplicate" or "pending_quota_exceeded";
}
