using System.Text.Json;
using FediTracker.Core.Registry;
using FediTracker.Federation.Activities;
using FediTracker.Federation.Diagnostics;
using FediTracker.Federation.Fetching;
using FediTracker.Federation.Http;
using FediTracker.Federation.Media;
using FediTracker.Federation.Outbox;
using FediTracker.Federation.Signatures;
using FediTracker.Core.FederationState;
using Microsoft.Extensions.Logging;

namespace FediTracker.Federation.Inbox;

/// <summary>
/// The tracker's inbox, free of any web framework. In order: body size, a rate limit per sending origin, JSON shape,
/// the HTTP signature, origin checks (signer, actor and activity id on one origin), de-duplication by activity id,
/// then the activity:
/// <list type="bullet">
/// <item><c>Follow</c> of the public collection (a relay subscription) or of our actor, from a trusted domain or a
/// peer tracker: the follower is stored and a signed <c>Accept</c> queued to its inbox; others get 403.</item>
/// <item><c>Undo</c> of a <c>Follow</c>: the follower is dropped.</item>
/// <item><c>Delete</c> of the actor itself: every torrent of the actor is revoked. <c>Delete</c> of an object on the
/// actor's origin: its torrents are revoked if the actor is their registered actor; an object not registered yet is
/// kept as a pending delete.</item>
/// <item><c>Update</c> of the actor with <c>suspended: true</c>: its torrents are suspended; with <c>suspended</c>
/// false or absent, and only when we suspended them on the origin's word, the actor is fetched from its origin and
/// restored if it says it is not suspended.</item>
/// <item><c>Delete</c> from a configured peer tracker: its revocation, applied to torrents of its domains only.</item>
/// <item><c>Create</c> or <c>Update</c> of a public post (<c>Note</c>, <c>Video</c>, …, embedded) on the actor's
/// origin, from a trusted domain with a relay subscription on that origin, when automatic registration is on: its
/// media attachments are handed to <see cref="AutoRegistrar"/>, unless a delete of the post is pending.</item>
/// </list>
/// Anything else is answered 202 and ignored. Every outcome is counted by reason.
/// </summary>
public sealed class InboxProcessor
{
    private readonly FederationOptions _options;
    private readonly TrackerActor _actor;
    private readonly SignatureVerifier _verifier;
    private readonly IFederationStore _store;
    private readonly IActivityDocumentFetcher _fetcher;
    private readonly DeletionApplier _applier;
    private readonly DeliveryScheduler _queue;
    private readonly OriginRateLimiter _limiter;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly FederationMetrics? _metrics;
    private readonly Dictionary<string, PeerTrackerOptions> _peers;
    private readonly AutoRegistrar? _autoRegistrar;

    public InboxProcessor(
        FederationOptions options,
        TrackerActor actor,
        SignatureVerifier verifier,
        IFederationStore store,
        IActivityDocumentFetcher fetcher,
        DeletionApplier applier,
        DeliveryScheduler queue,
        OriginRateLimiter limiter,
        TimeProvider time,
        ILogger<InboxProcessor> logger,
        FederationMetrics? metrics = null,
        AutoRegistrar? autoRegistrar = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _actor = actor ?? throw new ArgumentNullException(nameof(actor));
        _verifier = verifier ?? throw new ArgumentNullException(nameof(verifier));
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _fetcher = fetcher ?? throw new ArgumentNullException(nameof(fetcher));
        _applier = applier ?? throw new ArgumentNullException(nameof(applier));
        _queue = queue ?? throw new ArgumentNullException(nameof(queue));
        _limiter = limiter ?? throw new ArgumentNullException(nameof(limiter));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _metrics = metrics;
        _autoRegistrar = autoRegistrar;
        _peers = new Dictionary<string, PeerTrackerOptions>(StringComparer.Ordinal);
        foreach (var peer in options.Peers)
        {
            _peers[peer.Actor] = peer;
        }
    }

    /// <summary>Refuses a body before reading it, when its declared length is already too large.</summary>
    public InboxResult TooLarge()
    {
        var result = new InboxResult(413, "too_large");
        _metrics?.Inbox(result.Reason, "unknown");
        return result;
    }

    public async Task<InboxResult> ProcessAsync(IncomingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        string type = "unknown";
        string? actorId = null;
        InboxResult result;
        try
        {
            (result, type, actorId) = await ProcessCoreAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (RegistryUnavailableException)
        {
            result = new InboxResult(503, "registry_unavailable");
        }
        catch (FederationStoreUnavailableException)
        {
            result = new InboxResult(503, "state_unavailable");
        }

        _metrics?.Inbox(result.Reason, type);
        if (result.IsRejection)
        {
            FederationLog.InboxRefused(_logger, type, actorId, result.Reason);
        }

        return result;
    }

    private async Task<(InboxResult, string, string?)> ProcessCoreAsync(IncomingRequest request, CancellationToken cancellationToken)
    {
        if (request.Body.Length > _options.MaxInboxBodyBytes)
        {
            return (new InboxResult(413, "too_large"), "unknown", null);
        }

        if (!_limiter.TryAcquire(ClaimedOrigin(request)))
        {
            return (new InboxResult(429, "rate_limited"), "unknown", null);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(request.Body, JsonRead.Options);
        }
        catch (JsonException)
        {
            return (new InboxResult(400, "bad_json"), "unknown", null);
        }

        using (document)
        {
            var activity = document.RootElement;
            var type = JsonRead.Type(activity) ?? "unknown";
            var metricType = type is "Follow" or "Undo" or "Delete" or "Update" or "Accept" or "Create" ? type : "other";
            var id = JsonRead.String(activity, "id");
            var actor = JsonRead.Reference(activity, "actor");
            if (activity.ValueKind != JsonValueKind.Object || type == "unknown" || id is null || actor is null)
            {
                return (new InboxResult(400, "bad_activity"), metricType, actor);
            }

            var verification = await _verifier.VerifyAsync(request, cancellationToken).ConfigureAwait(false);
            if (!verification.IsValid)
            {
                return (new InboxResult(401, "signature_" + verification.Reason), metricType, actor);
            }

            var signerUri = DomainMatcher.HttpUri(verification.ActorId);
            var actorUri = DomainMatcher.HttpUri(actor);
            var idUri = DomainMatcher.HttpUri(id);
            if (signerUri is null || actorUri is null || idUri is null
                || !DomainMatcher.SameOrigin(signerUri, actorUri) || !DomainMatcher.SameOrigin(idUri, actorUri))
            {
                return (new InboxResult(403, "origin_mismatch"), metricType, actor);
            }

            var now = _time.GetUtcNow();
            if (!await _store.TryMarkSeenAsync(id, now.AddHours(_options.SeenActivityHours), cancellationToken).ConfigureAwait(false))
            {
                return (InboxResult.Ignored("duplicate"), metricType, actor);
            }

            InboxResult result;
            try
            {
                result = await DispatchAsync(activity, type, id, actor, actorUri, verification.ActorId!, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await ForgetAsync(id).ConfigureAwait(false);
                throw;
            }

            if (result.Status >= 400)
            {
                // A refusal is judged again if the same activity comes back (e.g. after the trust list changed).
                await ForgetAsync(id).ConfigureAwait(false);
            }

            return (result, metricType, actor);
        }
    }

    private async Task ForgetAsync(string id)
    {
        try
        {
            await _store.ForgetSeenAsync(id, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The id then stays marked until it expires; a retry of it is answered as a duplicate meanwhile.
            FederationLog.ObserverFailed(_logger, "forget a refused activity id", e);
        }
    }

    private Task<InboxResult> DispatchAsync(JsonElement activity, string type, string id, string actor, Uri actorUri, string signer, CancellationToken cancellationToken) => type switch
    {
        "Follow" => FollowAsync(activity, id, actor, actorUri, cancellationToken),
        "Undo" => UndoAsync(activity, actor, cancellationToken),
        "Delete" when _peers.TryGetValue(actor, out var peer) => PeerRevocationAsync(activity, actor, peer, cancellationToken),
        "Delete" => DeleteAsync(activity, actor, actorUri, signer, cancellationToken),
        "Create" => CreateAsync(activity, actor, actorUri, cancellationToken),
        "Update" when IsPost(JsonRead.Object(activity, "object")) => CreateAsync(activity, actor, actorUri, cancellationToken),
        "Update" => UpdateAsync(activity, actor, signer, cancellationToken),
        _ => Task.FromResult(InboxResult.Ignored()),
    };

    private async Task<InboxResult> FollowAsync(JsonElement activity, string id, string actor, Uri actorUri, CancellationToken cancellationToken)
    {
        var followed = JsonRead.Reference(activity, "object");
        FollowerKind kind;
        if (ActivityStreams.IsPublic(followed))
        {
            kind = FollowerKind.Relay;
        }
        else if (followed == _actor.ActorId)
        {
            kind = FollowerKind.Tracker;
        }
        else
        {
            return InboxResult.Ignored();
        }

        if (!_peers.ContainsKey(actor) && !DomainMatcher.Matches(_options.TrustedDomains, actorUri))
        {
            return new InboxResult(403, "untrusted_follow");
        }

        var inbox = await ResolveInboxAsync(actorUri, cancellationToken).ConfigureAwait(false);
        if (inbox is null)
        {
            return new InboxResult(400, "follower_unresolvable");
        }

        await _store.AddFollowerAsync(new Follower(actor, inbox, kind, id, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        await _queue.EnqueueAsync([(inbox, _actor.Accept(id, actor, followed!))], _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        FederationLog.Followed(_logger, actor, kind == FollowerKind.Relay ? "relay" : "tracker");
        return InboxResult.Accepted("followed");
    }

    private async Task<string?> ResolveInboxAsync(Uri actorUri, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _fetcher.GetActivityDocumentAsync(actorUri, cancellationToken).ConfigureAwait(false);
            using var document = JsonDocument.Parse(response.Body, JsonRead.Options);
            var root = document.RootElement;
            if (JsonRead.String(root, "id") != actorUri.OriginalString)
            {
                return null;
            }

            var shared = JsonRead.Object(root, "endpoints") is { } endpoints ? JsonRead.String(endpoints, "sharedInbox") : null;
            var inbox = DomainMatcher.HttpUri(shared) ?? DomainMatcher.HttpUri(JsonRead.String(root, "inbox"));
            return inbox is not null && DomainMatcher.SameOrigin(inbox, actorUri) ? inbox.OriginalString : null;
        }
        catch (Exception e) when (e is FetchException or JsonException)
        {
            return null;
        }
    }

    private async Task<InboxResult> UndoAsync(JsonElement activity, string actor, CancellationToken cancellationToken)
    {
        var inner = JsonRead.Object(activity, "object");
        if (inner is not { } follow || JsonRead.Type(follow) != "Follow" || JsonRead.Reference(follow, "actor") != actor)
        {
            return InboxResult.Ignored();
        }

        return await _store.RemoveFollowerAsync(actor, cancellationToken).ConfigureAwait(false)
            ? InboxResult.Accepted("unfollowed")
            : InboxResult.Ignored();
    }

    private async Task<InboxResult> DeleteAsync(JsonElement activity, string actor, Uri actorUri, string signer, CancellationToken cancellationToken)
    {
        var objectId = JsonRead.Reference(activity, "object");
        var objectUri = DomainMatcher.HttpUri(objectId);
        if (objectUri is null)
        {
            return new InboxResult(400, "bad_object");
        }

        if (!DomainMatcher.SameOrigin(objectUri, actorUri))
        {
            return new InboxResult(403, "origin_mismatch");
        }

        if (!DomainMatcher.Matches(_options.TrustedDomains, actorUri))
        {
            return new InboxResult(403, "untrusted_domain");
        }

        if (objectId == actor)
        {
            await _applier.ModerateAsync(ModerationKind.Revoke, ModerationTarget.ForActor(actor), "the account was deleted at its origin", ModerationSource.ActivityPub, signer, "delete_actor", cancellationToken).ConfigureAwait(false);
            await _store.SetActorSuspendedAsync(actor, false, cancellationToken).ConfigureAwait(false);
            return InboxResult.Accepted("actor_revoked");
        }

        var outcome = await _applier.DeleteObjectAsync(objectId!, actor, "the post was deleted at its origin", "delete_object", cancellationToken).ConfigureAwait(false);
        switch (outcome)
        {
            case ObjectDeleteOutcome.Revoked:
            case ObjectDeleteOutcome.PartlyRevoked:
                return InboxResult.Accepted("revoked");
            case ObjectDeleteOutcome.NotTheRegisteredActor:
                return new InboxResult(403, "not_registered_actor");
        }

        var tombstone = new PendingTombstone(objectId!, actor, DomainMatcher.DomainOf(actorUri), JsonRead.String(activity, "id")!, _time.GetUtcNow().AddHours(_options.PendingTombstoneHours));
        var added = await _store.AddPendingTombstoneAsync(tombstone, _options.PendingTombstonesPerDomain, cancellationToken).ConfigureAwait(false);
        if (added == PendingAddOutcome.QuotaExceeded)
        {
            return InboxResult.Ignored("pending_quota_exceeded");
        }

        // The object may have been registered between the lookup and the store: look once more.
        var late = await _applier.DeleteObjectAsync(objectId!, actor, "the post was deleted at its origin", "delete_object", cancellationToken).ConfigureAwait(false);
        if (late is ObjectDeleteOutcome.Revoked or ObjectDeleteOutcome.PartlyRevoked)
        {
            await _store.RemovePendingTombstonesAsync(objectId!, cancellationToken).ConfigureAwait(false);
            return InboxResult.Accepted("revoked");
        }

        _metrics?.Moderation("pending");
        return InboxResult.Accepted("pending");
    }

    private async Task<InboxResult> UpdateAsync(JsonElement activity, string actor, string signer, CancellationToken cancellationToken)
    {
        if (JsonRead.Object(activity, "object") is not { } updated || JsonRead.String(updated, "id") != actor || !ActivityStreams.IsActorType(JsonRead.Type(updated)))
        {
            return InboxResult.Ignored();
        }

        var actorUri = new Uri(actor);
        if (!DomainMatcher.Matches(_options.TrustedDomains, actorUri))
        {
            return new InboxResult(403, "untrusted_domain");
        }

        if (JsonRead.IsTrue(updated, "suspended"))
        {
            var result = await _applier.ModerateAsync(ModerationKind.Suspend, ModerationTarget.ForActor(actor), "the account was suspended at its origin", ModerationSource.ActivityPub, signer, "suspend", cancellationToken).ConfigureAwait(false);
            if (result.Changed)
            {
                await _store.SetActorSuspendedAsync(actor, true, cancellationToken).ConfigureAwait(false);
            }

            return InboxResult.Accepted("suspended");
        }

        // Only a suspension made on the origin's word is lifted on its word, and only once the origin itself confirms.
        if (!await _store.IsActorSuspendedAsync(actor, cancellationToken).ConfigureAwait(false))
        {
            return InboxResult.Ignored();
        }

        FetchResponse response;
        try
        {
            response = await _fetcher.GetActivityDocumentAsync(actorUri, cancellationToken).ConfigureAwait(false);
        }
        catch (FetchException)
        {
            return new InboxResult(503, "actor_unfetchable");
        }

        using (var document = JsonDocument.Parse(response.Body, JsonRead.Options))
        {
            var root = document.RootElement;
            if (JsonRead.String(root, "id") != actor || JsonRead.IsTrue(root, "suspended"))
            {
                return InboxResult.Ignored("still_suspended");
            }
        }

        await _applier.ModerateAsync(ModerationKind.Restore, ModerationTarget.ForActor(actor), "the account was unsuspended at its origin", ModerationSource.ActivityPub, signer, "restore", cancellationToken).ConfigureAwait(false);
        await _store.SetActorSuspendedAsync(actor, false, cancellationToken).ConfigureAwait(false);
        return InboxResult.Accepted("restored");
    }

    private static bool IsPost(JsonElement? content) =>
        content is { } post && JsonRead.Type(post) is "Note" or "Article" or "Page" or "Question" or "Video" or "Audio" or "Image";

    /// <summary>
    /// A new or edited post: its media attachments are offered for automatic registration. Only an embedded object is
    /// read (nothing is fetched); its id must be on the actor's origin and, when it names its author, name this actor.
    /// An edit offers the attachments again; those registered already are found before anything is fetched.
    /// </summary>
    private async Task<InboxResult> CreateAsync(JsonElement activity, string actor, Uri actorUri, CancellationToken cancellationToken)
    {
        if (_autoRegistrar is null || JsonRead.Object(activity, "object") is not { } post || !IsPost(post))
        {
            return InboxResult.Ignored();
        }

        var objectUri = DomainMatcher.HttpUri(JsonRead.String(post, "id"));
        if (objectUri is null)
        {
            return new InboxResult(400, "bad_object");
        }

        if (!DomainMatcher.SameOrigin(objectUri, actorUri) || (HasAuthors(post) && !Authors(post).Contains(actor, StringComparer.Ordinal)))
        {
            return new InboxResult(403, "origin_mismatch");
        }

        if (!DomainMatcher.Matches(_options.TrustedDomains, actorUri))
        {
            return new InboxResult(403, "untrusted_domain");
        }

        if (!IsAddressedToPublic(activity) && !IsAddressedToPublic(post))
        {
            return InboxResult.Ignored("not_public");
        }

        var attachments = MediaAttachment.ReadAll(post);
        if (attachments.Count == 0)
        {
            return InboxResult.Ignored("no_attachments");
        }

        var followers = await _store.ListFollowersAsync(cancellationToken).ConfigureAwait(false);
        if (!followers.Any(f => f.Kind == FollowerKind.Relay && DomainMatcher.HttpUri(f.ActorId) is { } follower && DomainMatcher.SameOrigin(follower, actorUri)))
        {
            return InboxResult.Ignored("not_subscribed");
        }

        // Deleted before it arrived (or before this edit): nothing is made. A delete that comes while the torrent is
        // being made is applied when it is registered, as for any registration.
        var pending = await _store.GetPendingTombstonesAsync(objectUri.OriginalString, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (pending.Any(t => t.ActorUri == actor))
        {
            return InboxResult.Ignored("deleted");
        }

        var queued = _autoRegistrar.Offer(objectUri.OriginalString, actorUri, attachments);
        return queued > 0 ? InboxResult.Accepted("attachments_queued") : InboxResult.Ignored("attachments_skipped");
    }

    private static bool HasAuthors(JsonElement post) => post.TryGetProperty("attributedTo", out _);

    // attributedTo is a reference or an array of them (PeerTube names the account and the channel).
    private static IEnumerable<string> Authors(JsonElement post)
    {
        if (!post.TryGetProperty("attributedTo", out var value))
        {
            yield break;
        }

        var items = value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToArray() : [value];
        foreach (var item in items)
        {
            if (item.ValueKind == JsonValueKind.String)
            {
                yield return item.GetString()!;
            }
            else if (JsonRead.String(item, "id") is { } id)
            {
                yield return id;
            }
        }
    }

    private static bool IsAddressedToPublic(JsonElement element) =>
        JsonRead.Strings(element, "to").Concat(JsonRead.Strings(element, "cc")).Any(ActivityStreams.IsPublic);

    /// <summary>
    /// A peer tracker's revocation (the shape <see cref="TrackerActor.Revocation"/> writes). Its object or actor target
    /// is revoked only when its host is one the peer speaks for; its hashes only when a torrent carrying them was
    /// registered for such a host. Nothing else is touched.
    /// </summary>
    private async Task<InboxResult> PeerRevocationAsync(JsonElement activity, string peerActor, PeerTrackerOptions peer, CancellationToken cancellationToken)
    {
        if (JsonRead.Object(activity, "object") is not { } tombstone)
        {
            return InboxResult.Ignored();
        }

        var peerUri = new Uri(peerActor);
        bool Speaks(Uri uri) => DomainMatcher.SameOrigin(uri, peerUri) || DomainMatcher.Matches([peerUri.IdnHost, .. peer.Domains], uri);

        var applied = 0;
        var refused = 0;
        var kind = JsonRead.String(tombstone, "targetKind");
        var targetUri = DomainMatcher.HttpUri(JsonRead.String(tombstone, "id"));
        if (kind is "object" or "actor" && targetUri is not null)
        {
            if (Speaks(targetUri))
            {
                var target = kind == "object" ? ModerationTarget.ForObject(targetUri.OriginalString) : ModerationTarget.ForActor(targetUri.OriginalString);
                await _applier.ModerateAsync(ModerationKind.Revoke, target, "revoked by peer tracker " + peerActor, ModerationSource.Federation, peerActor, "peer_revocation", cancellationToken).ConfigureAwait(false);
                applied++;
            }
            else
            {
                refused++;
            }
        }

        foreach (var text in JsonRead.Strings(tombstone, "infoHashes"))
        {
            if (!DeletionApplier.TryParseHash(text, out var hash))
            {
                continue;
            }

            var torrent = await _applier.Registry.FindAsync(hash, cancellationToken).ConfigureAwait(false);
            if (torrent is null || torrent.Status == AccessState.Revoked)
            {
                continue;
            }

            if (DeletionApplier.OriginOf(torrent) is { } origin && Speaks(origin))
            {
                await _applier.ModerateAsync(ModerationKind.Revoke, ModerationTarget.ForHash(hash), "revoked by peer tracker " + peerActor, ModerationSource.Federation, peerActor, "peer_revocation", cancellationToken).ConfigureAwait(false);
                applied++;
            }
            else
            {
                refused++;
            }
        }

        return applied > 0 ? InboxResult.Accepted("peer_revoked") : refused > 0 ? new InboxResult(403, "peer_out_of_domain") : InboxResult.Ignored();
    }

    /// <summary>The host (and port) of the keyId a request's signature names, read without parsing the signature.</summary>
    internal static string ClaimedOrigin(IncomingRequest request)
    {
        var field = request.Headers.GetCombined("signature-input") ?? request.Headers.GetCombined("signature");
        if (field is null)
        {
            return "-";
        }

        var start = field.IndexOf("keyid=\"", StringComparison.OrdinalIgnoreCase);
        if (start < 0)
        {
            return "-";
        }

        start += 7;
        var end = field.IndexOf('"', start);
        var keyId = end < 0 ? field[start..] : field[start..end];
        return DomainMatcher.HttpUri(keyId) is { } uri ? DomainMatcher.DomainOf(uri) : "-";
    }
}
