namespace FediTracker.Core.Registry;

/// <summary>Which info-hashes the tracker serves.</summary>
public enum AccessMode
{
    /// <summary>Only registered hashes that are neither revoked nor suspended (the default).</summary>
    Registered = 0,

    /// <summary>Any hash that is neither revoked nor suspended.</summary>
    Open = 1,

    /// <summary>Registered hashes only, and every announce carries a valid passkey in its path.</summary>
    Private = 2,
}
