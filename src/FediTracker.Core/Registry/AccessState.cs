namespace FediTracker.Core.Registry;

/// <summary>What the registry says about one info-hash. <see cref="Unknown"/> means it has no row at all.</summary>
public enum AccessState : byte
{
    Unknown = 0,

    /// <summary>Registered and served.</summary>
    Active = 1,

    /// <summary>Refused for now (an account suspension); a restore makes it <see cref="Active"/> again.</summary>
    Suspended = 2,

    /// <summary>Refused for good, unless an admin restores it.</summary>
    Revoked = 3,
}
