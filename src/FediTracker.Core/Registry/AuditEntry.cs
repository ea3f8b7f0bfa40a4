namespace FediTracker.Core.Registry;

/// <summary>What an audit entry records.</summary>
public enum AuditAction
{
    Register = 0,
    Revoke = 1,
    Suspend = 2,
    Restore = 3,
    PasskeyCreate = 4,
    PasskeyDelete = 5,
}

/// <summary>
/// One line of the append-only audit log. <see cref="Subject"/> names what was acted on (a hash, an object or actor
/// URI, a passkey id); <see cref="Detail"/> is free text (the reason, the hashes concerned).
/// </summary>
public sealed record AuditEntry
{
    public required long Id { get; init; }

    public required DateTimeOffset At { get; init; }

    public required AuditAction Action { get; init; }

    public required string By { get; init; }

    public required ModerationSource Source { get; init; }

    public required string Subject { get; init; }

    public string? Detail { get; init; }
}
