using System.Text.Json;
using FediTracker.Federation.Diagnostics;
using FediTracker.Federation.Fetching;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FediTracker.Federation.Keys;

/// <summary>
/// Resolves key ids by fetching the actor (or key) document they point at, and keeps the answers.
/// <para>
/// A keyId is an https URL, usually the actor's URL with <c>#main-key</c>. The document at it is either the actor,
/// whose <c>publicKey</c> must list a key with that id owned by the actor, or a key document whose <c>owner</c> actor is
/// then fetched and must list the key back. The key's PEM is always taken from the actor document, and the actor must
/// live on the key id's origin, so no server can vouch for another's keys.
/// </para>
/// <para>
/// Found keys are kept for <see cref="ActorKeyCacheOptions.TimeToLiveSeconds"/>; failures for
/// <see cref="ActorKeyCacheOptions.NegativeTimeToLiveSeconds"/>. A refresh (after a verification failed) refetches
/// unless the key was fetched within <see cref="ActorKeyCacheOptions.MinRefreshIntervalSeconds"/>, and a failed refetch
/// keeps the old key unless the origin says it is gone. Concurrent lookups of one key share one fetch. The cache holds
/// at most <see cref="ActorKeyCacheOptions.Capacity"/> entries.
/// </para>
/// </summary>
public sealed class ActorKeyCache : IActorKeyResolver
{
    private readonly IActivityDocumentFetcher _fetcher;
    private readonly ActorKeyCacheOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly FederationMetrics? _metrics;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task<KeyLookup>> _inFlight = new(StringComparer.Ordinal);

    public ActorKeyCache(
        IActivityDocumentFetcher fetcher,
        IOptions<ActorKeyCacheOptions> options,
        TimeProvider timeProvider,
        ILogger<ActorKeyCache>? logger = null,
        FederationMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(fetcher);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _fetcher = fetcher;
        _options = options.Value;
        _time = timeProvider;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _metrics = metrics;
    }

    /// <summary>Keys (and remembered failures) held now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    public async ValueTask<KeyLookup> ResolveAsync(string keyId, bool refresh, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        if (!Uri.TryCreate(keyId, UriKind.Absolute, out var keyUri) || (keyUri.Scheme != Uri.UriSchemeHttps && keyUri.Scheme != Uri.UriSchemeHttp))
        {
            return KeyLookup.NotFound($"keyId {keyId} is not an http(s) URL");
        }

        Task<KeyLookup> fetch;
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (_entries.TryGetValue(keyId, out var entry) && now < entry.ExpiresAt)
            {
                var fresh = now - entry.FetchedAt < TimeSpan.FromSeconds(_options.MinRefreshIntervalSeconds);
                if (entry.Lookup.Status != KeyLookupStatus.Found)
                {
                    _metrics?.KeyLookup("negative_hit");
                    return entry.Lookup;
                }

                if (!refresh || fresh)
                {
                    _metrics?.KeyLookup("hit");
                    return entry.Lookup;
                }
            }

            if (!_inFlight.TryGetValue(keyId, out var pending))
            {
                _metrics?.KeyLookup(refresh ? "refresh" : "miss");
                pending = FetchAndStoreAsync(keyId, keyUri, refresh);
                _inFlight[keyId] = pending;
            }

            fetch = pending;
        }

        return await fetch.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Forgets a key (e.g. after its actor was deleted).</summary>
    public void Invalidate(string keyId)
    {
        lock (_lock)
        {
            _entries.Remove(keyId);
        }
    }

    private async Task<KeyLookup> FetchAndStoreAsync(string keyId, Uri keyUri, bool refresh)
    {
        // Run the fetch off the caller's lock and stack; it has its own deadline in the fetcher.
        await Task.Yield();
        KeyLookup lookup;
        try
        {
            lookup = await FetchAsync(keyId, keyUri).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            lookup = KeyLookup.FetchFailed(e.Message);
        }

        if (lookup.Status != KeyLookupStatus.Found)
        {
            FederationLog.KeyLookupFailed(_logger, keyId, lookup.Status == KeyLookupStatus.NotFound ? "not found" : "fetch failed", lookup.Message);
        }

        lock (_lock)
        {
            _inFlight.Remove(keyId);
            var now = _time.GetUtcNow();
            var keepOld = lookup.Status == KeyLookupStatus.FetchFailed
                && _entries.TryGetValue(keyId, out var old) && old.Lookup.Status == KeyLookupStatus.Found && now < old.ExpiresAt;
            if (!keepOld)
            {
                var lifetime = lookup.Status == KeyLookupStatus.Found ? _options.TimeToLiveSeconds : _options.NegativeTimeToLiveSeconds;
                _entries[keyId] = new Entry(lookup, now, now + TimeSpan.FromSeconds(lifetime));
                TrimIfFull(now);
            }
        }

        if (refresh)
        {
            FederationLog.KeyRefreshed(_logger, keyId, lookup.Status == KeyLookupStatus.Found ? "was found" : "failed: " + lookup.Message);
        }

        return lookup;
    }

    private async Task<KeyLookup> FetchAsync(string keyId, Uri keyUri)
    {
        var documentUri = new UriBuilder(keyUri) { Fragment = string.Empty }.Uri;
        var (body, failure) = await FetchDocumentAsync(documentUri).ConfigureAwait(false);
        if (failure is not null)
        {
            return failure;
        }

        string owner;
        Uri ownerUri;
        var shape = ActorKeyDocument.Inspect(body!, out var json);
        using (json)
        {
            if (shape == ActorKeyDocument.Shape.Actor)
            {
                return FromActor(json!.RootElement, keyId, keyUri);
            }

            if (shape != ActorKeyDocument.Shape.Key)
            {
                return KeyLookup.NotFound($"{documentUri} is neither an actor nor a key document");
            }

            var root = json!.RootElement;
            if (ActorKeyDocument.String(root, "id") != keyId)
            {
                return KeyLookup.NotFound($"the key document at {documentUri} is not {keyId}");
            }

            if (ActorKeyDocument.String(root, "owner") is not { } named
                || !Uri.TryCreate(named, UriKind.Absolute, out var namedUri)
                || !ActorKeyDocument.SameOrigin(namedUri, keyUri))
            {
                return KeyLookup.NotFound($"key {keyId} names no owner on its own origin");
            }

            owner = named;
            ownerUri = namedUri;
        }

        // A key document: the owner's actor document must list the key back, and its PEM is the one used.
        var (actorBody, actorFailure) = await FetchDocumentAsync(ownerUri).ConfigureAwait(false);
        if (actorFailure is not null)
        {
            return actorFailure;
        }

        var actorShape = ActorKeyDocument.Inspect(actorBody!, out var actorJson);
        using (actorJson)
        {
            if (actorShape != ActorKeyDocument.Shape.Actor)
            {
                return KeyLookup.NotFound($"the owner {owner} of {keyId} is not an actor");
            }

            var lookup = FromActor(actorJson!.RootElement, keyId, keyUri);
            return lookup.Status == KeyLookupStatus.Found && lookup.Key!.ActorId != owner
                ? KeyLookup.NotFound($"key {keyId} names owner {owner}, but that document is {lookup.Key.ActorId}")
                : lookup;
        }
    }

    private static KeyLookup FromActor(JsonElement actor, string keyId, Uri keyUri)
    {
        if (!ActorKeyDocument.TryFindKey(actor, keyId, out var actorId, out var pem, out var problem))
        {
            return KeyLookup.NotFound(problem);
        }

        if (!Uri.TryCreate(actorId, UriKind.Absolute, out var actorUri) || !ActorKeyDocument.SameOrigin(actorUri, keyUri))
        {
            return KeyLookup.NotFound($"actor {actorId} is not on the origin of key {keyId}");
        }

        return ActorPublicKey.TryCreate(keyId, actorId, pem, out var key)
            ? KeyLookup.Found(key)
            : KeyLookup.NotFound($"key {keyId} is not a usable RSA public key");
    }

    private async Task<(byte[]? Body, KeyLookup? Failure)> FetchDocumentAsync(Uri uri)
    {
        try
        {
            var response = await _fetcher.GetActivityDocumentAsync(uri, CancellationToken.None).ConfigureAwait(false);
            return (response.Body, null);
        }
        catch (FetchException e) when (e.Failure == FetchFailure.BadStatus && e.StatusCode is 404 or 410)
        {
            return (null, KeyLookup.NotFound($"{uri} answered {e.StatusCode}"));
        }
        catch (FetchException e)
        {
            return (null, KeyLookup.FetchFailed($"{e.Reason}: {e.Message}"));
        }
    }

    private void TrimIfFull(DateTimeOffset now)
    {
        if (_entries.Count <= _options.Capacity)
        {
            return;
        }

        var expired = new List<string>();
        foreach (var (key, entry) in _entries)
        {
            if (now >= entry.ExpiresAt)
            {
                expired.Add(key);
            }
        }

        foreach (var key in expired)
        {
            _entries.Remove(key);
        }

        if (_entries.Count <= _options.Capacity)
        {
            return;
        }

        var excess = _entries.Count - _options.Capacity + Math.Max(1, _options.Capacity / 10);
        var oldest = new List<KeyValuePair<string, Entry>>(_entries);
        oldest.Sort((a, b) => a.Value.FetchedAt.CompareTo(b.Value.FetchedAt));
        for (var i = 0; i < excess && i < oldest.Count; i++)
        {
            _entries.Remove(oldest[i].Key);
        }
    }

    private sealed record Entry(KeyLookup Lookup, DateTimeOffset FetchedAt, DateTimeOffset ExpiresAt);
}
