namespace FediTracker.Federation.Keys;

/// <summary>Finds the public key a signature's keyId names. <see cref="ActorKeyCache"/> is the real one.</summary>
public interface IActorKeyResolver
{
    /// <summary>
    /// Resolves <paramref name="keyId"/>. With <paramref name="refresh"/> the caller says the key it had failed to
    /// verify a signature, so the key may have rotated: the resolver fetches it again (at most once in a short while).
    /// </summary>
    ValueTask<KeyLookup> ResolveAsync(string keyId, bool refresh, CancellationToken cancellationToken);
}
