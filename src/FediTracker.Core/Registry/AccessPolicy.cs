using FediTracker.Protocol;

namespace FediTracker.Core.Registry;

/// <summary>The verdict on one hash under the tracker's access mode.</summary>
public enum AccessDecision
{
    Allowed = 0,
    NotRegistered = 1,
    Suspended = 2,
    Revoked = 3,
}

/// <summary>
/// Decides, from the node's <see cref="AccessList"/> and the configured <see cref="AccessMode"/>, whether a hash is
/// served. A lock-free dictionary read; no allocation.
/// </summary>
public sealed class AccessPolicy
{
    public AccessPolicy(AccessMode mode, AccessList list)
    {
        Mode = mode;
        List = list ?? throw new ArgumentNullException(nameof(list));
    }

    public AccessMode Mode { get; }

    public AccessList List { get; }

    /// <summary>True when announces must carry a passkey.</summary>
    public bool RequiresPasskey => Mode == AccessMode.Private;

    public AccessDecision Check(in InfoHash hash) => List.Get(hash) switch
    {
        AccessState.Active => AccessDecision.Allowed,
        AccessState.Revoked => AccessDecision.Revoked,
        AccessState.Suspended => AccessDecision.Suspended,
        _ => Mode == AccessMode.Open ? AccessDecision.Allowed : AccessDecision.NotRegistered,
    };

    /// <summary>True when the passkey is acceptable: any (or none) outside private mode, a valid one inside it.</summary>
    public bool AcceptsPasskey(ReadOnlySpan<byte> passkey) => !RequiresPasskey || List.IsValidPasskey(passkey);
}
