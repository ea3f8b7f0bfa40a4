namespace FediTracker.Core.Swarms;

/// <summary>Whether a store accepted an announce.</summary>
public enum StoreAnnounceStatus
{
    Ok = 0,

    /// <summary>The torrent is revoked: the store checked its marker atomically with the write, and wrote nothing.</summary>
    Revoked = 1,
}
