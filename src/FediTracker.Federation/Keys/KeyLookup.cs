namespace FediTracker.Federation.Keys;

/// <summary>How a key lookup ended.</summary>
public enum KeyLookupStatus
{
    Found,

    /// <summary>The origin says there is no such key (404/410), or its document does not vouch for it.</summary>
    NotFound,

    /// <summary>The key could not be fetched (refused address, timeout, oversize, server error, unparsable document).</summary>
    FetchFailed,
}

/// <summary>The result of resolving a key id.</summary>
public sealed class KeyLookup
{
    private KeyLookup(KeyLookupStatus status, ActorPublicKey? key, string message)
    {
        Status = status;
        Key = key;
        Message = message;
    }

    public KeyLookupStatus Status { get; }

    /// <summary>The key, when <see cref="Status"/> is <see cref="KeyLookupStatus.Found"/>.</summary>
    public ActorPublicKey? Key { get; }

    public string Message { get; }

    public static KeyLookup Found(ActorPublicKey key) => new(KeyLookupStatus.Found, key ?? throw new ArgumentNullException(nameof(key)), "found");

    public static KeyLookup NotFound(string message) => new(KeyLookupStatus.NotFound, null, message);

    public static KeyLookup FetchFailed(string message) => new(KeyLookupStatus.FetchFailed, null, message);
}
