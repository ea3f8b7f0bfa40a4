using FediTracker.Federation.Keys;

namespace FediTracker.Federation.Tests;

/// <summary>An in-memory key resolver: a key per id, optionally a different one handed out on refresh (a rotated key).</summary>
internal sealed class FakeKeyResolver : IActorKeyResolver
{
    private readonly Dictionary<string, ActorPublicKey> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ActorPublicKey> _rotated = new(StringComparer.Ordinal);

    public KeyLookup? ForcedResult { get; set; }

    public int Lookups { get; private set; }

    public int Refreshes { get; private set; }

    public FakeKeyResolver Add(ActorPublicKey key)
    {
        _keys[key.KeyId] = key;
        return this;
    }

    public FakeKeyResolver RotateOnRefresh(ActorPublicKey key)
    {
        _rotated[key.KeyId] = key;
        return this;
    }

    public ValueTask<KeyLookup> ResolveAsync(string keyId, bool refresh, CancellationToken cancellationToken)
    {
        Lookups++;
        if (refresh)
        {
            Refreshes++;
        }

        if (ForcedResult is not null)
        {
            return ValueTask.FromResult(ForcedResult);
        }

        if (refresh && _rotated.TryGetValue(keyId, out var rotated))
        {
            _keys[keyId] = rotated;
            return ValueTask.FromResult(KeyLookup.Found(rotated));
        }

        return ValueTask.FromResult(_keys.TryGetValue(keyId, out var key) ? KeyLookup.Found(key) : KeyLookup.NotFound("no such key"));
    }
}
