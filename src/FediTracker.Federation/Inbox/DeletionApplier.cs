using FediTracker.Core.Registry;
using FediTracker.Federation.Diagnostics;
using FediTracker.Protocol;
using Microsoft.Extensions.Logging;

namespace FediTracker.Federation.Inbox;

/// <summary>How a delete of an object ended.</summary>
public enum ObjectDeleteOutcome
{
    /// <summary>Every torrent of the object belongs to the deleting actor: the object is revoked (and stays refused).</summary>
    Revoked,

    /// <summary>Some torrents belong to the actor and were revoked by hash; others (other actors) were left.</summary>
    PartlyRevoked,

    /// <summary>No torrent links the object yet.</summary>
    NotRegistered,

    /// <summary>Torrents link the object, but none was registered by this actor.</summary>
    NotTheRegisteredActor,
}

/// <summary>
/// Applies a federated delete of an object through <see cref="ModerationService"/>: only torrents whose registered
/// actor is the deleting actor are touched. Shared by the inbox and by pending deletes applied at registration.
/// </summary>
public sealed class DeletionApplier
{
    private readonly Func<ModerationService> _moderation;
    private readonly ILogger _logger;
    private readonly FederationMetrics? _metrics;

    public DeletionApplier(Func<ModerationService> moderation, ILogger logger, FederationMetrics? metrics)
    {
        ArgumentNullException.ThrowIfNull(moderation);
        ArgumentNullException.ThrowIfNull(logger);
        _moderation = moderation;
        _logger = logger;
        _metrics = metrics;
    }

    public async Task<ObjectDeleteOutcome> DeleteObjectAsync(string objectUri, string actorUri, string reason, string metricName, CancellationToken cancellationToken)
    {
        var moderation = _moderation();
        var torrents = await ListAsync(moderation.Registry, new TorrentQuery { ObjectUri = objectUri }, cancellationToken).ConfigureAwait(false);
        if (torrents.Count == 0)
        {
            return ObjectDeleteOutcome.NotRegistered;
        }

        var mine = torrents.Where(t => t.ActorUri == actorUri).ToList();
        if (mine.Count == 0)
        {
            return ObjectDeleteOutcome.NotTheRegisteredActor;
        }

        if (mine.Count == torrents.Count)
        {
            var result = await moderation.ModerateAsync(
                new ModerationRequest(ModerationKind.Revoke, ModerationTarget.ForObject(objectUri), reason, ModerationSource.ActivityPub, actorUri),
                cancellationToken).ConfigureAwait(false);
            Applied(metricName, actorUri, objectUri, result);
            return ObjectDeleteOutcome.Revoked;
        }

        foreach (var torrent in mine)
        {
            var result = await moderation.ModerateAsync(
                new ModerationRequest(ModerationKind.Revoke, ModerationTarget.ForHash(torrent.Hashes[0]), reason, ModerationSource.ActivityPub, actorUri),
                cancellationToken).ConfigureAwait(false);
            Applied(metricName, actorUri, torrent.Hashes[0].ToString(), result);
        }

        return ObjectDeleteOutcome.PartlyRevoked;
    }

    public async Task<ModerationResult> ModerateAsync(ModerationKind kind, ModerationTarget target, string reason, ModerationSource source, string by, string metricName, CancellationToken cancellationToken)
    {
        var result = await _moderation().ModerateAsync(new ModerationRequest(kind, target, reason, source, by), cancellationToken).ConfigureAwait(false);
        Applied(metricName, by, target.Value, result);
        return result;
    }

    public ITorrentRegistry Registry => _moderation().Registry;

    public static async Task<List<TorrentRecord>> ListAsync(ITorrentRegistry registry, TorrentQuery query, CancellationToken cancellationToken)
    {
        var all = new List<TorrentRecord>();
        var after = 0L;
        while (true)
        {
            var page = await registry.ListAsync(query with { After = after, Limit = 500 }, cancellationToken).ConfigureAwait(false);
            all.AddRange(page.Items);
            if (page.Next is not { } next || all.Count >= 100_000)
            {
                return all;
            }

            after = next;
        }
    }

    /// <summary>The host a torrent comes from: its object URI's, else its actor URI's.</summary>
    public static Uri? OriginOf(TorrentRecord torrent) =>
        DomainMatcher.HttpUri(torrent.ObjectUri) ?? DomainMatcher.HttpUri(torrent.ActorUri);

    public static bool TryParseHash(string text, out InfoHash hash) => InfoHash.TryParseHex(text, out hash);

    private void Applied(string metricName, string actor, string target, ModerationResult result)
    {
        _metrics?.Moderation(metricName);
        FederationLog.Applied(_logger, metricName, actor, target, result.Blocked.Count + result.Unblocked.Count);
    }
}
