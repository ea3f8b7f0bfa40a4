using FediTracker.Protocol;

namespace FediTracker.Core.Registry;

/// <summary>
/// One entry of the registry's access feed, which every node replays into its <see cref="AccessList"/>: a hash's
/// new state (<see cref="AccessState.Unknown"/> when forgotten), or a passkey digest added or removed. Versions
/// rise strictly; reading from the last version seen gives every later change (a newer change of the same key may
/// replace older ones, since only the latest state matters).
/// </summary>
public readonly record struct AccessChange(long Version, InfoHash Hash, AccessState State, byte[]? PasskeyDigest = null, bool PasskeyValid = false)
{
    /// <summary>True when this entry is about a passkey, not a hash.</summary>
    public bool IsPasskey => PasskeyDigest is not null;
}

/// <summary>A batch of the access feed and the version to read after next.</summary>
public sealed record AccessChangeBatch(IReadOnlyList<AccessChange> Changes, long LastVersion);
