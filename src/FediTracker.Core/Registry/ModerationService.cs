using System.Security.Cryptography;
using FediTracker.Core.Diagnostics;
using FediTracker.Core.Swarms;
using FediTracker.Protocol;
using Microsoft.Extensions.Logging;

namespace FediTracker.Core.Registry;

/// <summary>Told after a registry write, so other nodes and federated trackers learn of it.</summary>
public interface IRegistryObserver
{
    /// <summary>After any write that changed the access feed (registration, moderation, passkey).</summary>
    ValueTask OnAccessChangedAsync(CancellationToken cancellationToken);

    /// <summary>After a moderation that changed something (the federation outbox queues a delivery here).</summary>
    ValueTask OnModeratedAsync(ModerationRequest request, ModerationResult result, CancellationToken cancellationToken);

    /// <summary>
    /// After a registration created a torrent, once it is served on this node (federation applies a deletion that
    /// arrived before the registration here). Most observers need nothing, hence the default.
    /// </summary>
    ValueTask OnRegisteredAsync(TorrentRecord torrent, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

/// <summary>A passkey as created: the passkey itself is in this object only, never stored.</summary>
public sealed record CreatedPasskey(PasskeyRecord Record, string Passkey);

/// <summary>
/// Every write to the registry goes through here, so each one takes full effect before the call returns:
/// the durable record first, then this node's <see cref="AccessList"/>, then the swarm store (blocked hashes refused
/// and purged, atomically with announces), then the observers (other nodes' caches, federation).
/// </summary>
public sealed partial class ModerationService
{
    private readonly ITorrentRegistry _registry;
    private readonly ISwarmStore _store;
    private readonly AccessSynchronizer _sync;
    private readonly IReadOnlyList<IRegistryObserver> _observers;
    private readonly RegistryMetrics _metrics;
    private readonly ILogger<ModerationService> _logger;

    public ModerationService(
        ITorrentRegistry registry,
        ISwarmStore store,
        AccessSynchronizer sync,
        IEnumerable<IRegistryObserver> observers,
        RegistryMetrics metrics,
        ILogger<ModerationService> logger)
    {
        _registry = registry ?? throw new ArgumentNullException(nameof(registry));
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _sync = sync ?? throw new ArgumentNullException(nameof(sync));
        _observers = [.. observers ?? []];
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    public ITorrentRegistry Registry => _registry;

    /// <summary>Registers a torrent; when created, it is served on this node before this returns.</summary>
    /// <exception cref="RegistryUnavailableException">Nothing was registered.</exception>
    public async Task<RegisterResult> RegisterAsync(TorrentRegistration registration, string by, ModerationSource source, CancellationToken cancellationToken)
    {
        var result = await _registry.RegisterAsync(registration, by, source, cancellationToken);
        _metrics.Registration(result.Outcome);
        if (result.Outcome == RegisterOutcome.Created)
        {
            await PropagateAsync(cancellationToken);
            foreach (var observer in _observers)
            {
                try
                {
                    await observer.OnRegisteredAsync(result.Torrent!, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.ObserverFailed(_logger, observer.GetType().Name, ex);
                }
            }
        }

        return result;
    }

    /// <summary>
    /// Revokes, suspends or restores. When this returns, the change is durable, every changed hash is refused (or
    /// served again) by the swarm store and by this node, and its swarm is forgotten. A repeat of a revocation or
    /// suspension blocks its hashes in the store again, and a repeat of a restore unblocks those served now (both
    /// idempotent), so a retry after a store failure completes it.
    /// </summary>
    /// <exception cref="RegistryUnavailableException">The registry could not be written; nothing changed.</exception>
    /// <exception cref="SwarmStoreUnavailableException">Recorded durably, but the swarm store could not be reached to
    /// purge the swarm; this node refuses the hashes already and the observers have been told. Retrying the same call
    /// completes it.</exception>
    public async Task<ModerationResult> ModerateAsync(ModerationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var result = await _registry.ModerateAsync(request, cancellationToken);

        // This node first: even if the store below fails, the hashes are refused here from now on.
        await _sync.CatchUpAsync(cancellationToken);

        var dropped = 0;
        Exception? storeFailure = null;
        try
        {
            if (request.Kind == ModerationKind.Restore)
            {
                // A repeat finds nothing to change in the registry, but the first call may have failed at the store after
                // the registry was written: lift the store's block on every concerned hash that is served now (idempotent).
                var toUnblock = result.Changed ? result.Unblocked : await ServedHashesOfAsync(request.Target, cancellationToken);
                foreach (var hash in toUnblock)
                {
                    await _store.UnblockAsync(hash, cancellationToken);
                }
            }
            else
            {
                var toBlock = result.Changed ? result.Blocked : result.Record?.Hashes ?? [];
                foreach (var hash in toBlock)
                {
                    dropped += await _store.BlockAsync(hash, cancellationToken);
                }
            }
        }
        catch (Exception ex) when (ex is SwarmStoreUnavailableException or OperationCanceledException)
        {
            // The change is durable and this node refuses the hashes already; the observers (other nodes, federated
            // trackers) are told below all the same. A repeat finds the registry unchanged and tells nobody again, so
            // skipping them here would lose the notice for good. The caller still learns that the store was not reached.
            storeFailure = ex;
        }

        if (result.Changed)
        {
            _metrics.Moderation(request.Kind, request.Source);
            Log.Moderated(_logger, request.Kind, request.Target.Kind, request.Source, result.Record?.Id ?? 0, result.Blocked.Count + result.Unblocked.Count, dropped);
            await NotifyAsync(request, result, storeFailure is OperationCanceledException ? CancellationToken.None : cancellationToken);
        }

        if (storeFailure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(storeFailure);
        }

        return result;
    }

    /// <summary>Makes a passkey (160 random bits, 40 hex digits), stores its digest, and returns it once.</summary>
    public async Task<CreatedPasskey> CreatePasskeyAsync(string label, string by, CancellationToken cancellationToken)
    {
        Span<byte> secret = stackalloc byte[20];
        RandomNumberGenerator.Fill(secret);
        var passkey = Convert.ToHexStringLower(secret);
        var digest = SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(passkey));
        var record = await _registry.AddPasskeyAsync(digest, label, by, cancellationToken);
        await PropagateAsync(cancellationToken);
        return new CreatedPasskey(record, passkey);
    }

    public async Task<bool> DeletePasskeyAsync(long id, string by, CancellationToken cancellationToken)
    {
        var removed = await _registry.RemovePasskeyAsync(id, by, cancellationToken);
        if (removed)
        {
            await PropagateAsync(cancellationToken);
        }

        return removed;
    }

    // The hashes a restore of this target concerns that this node serves now (neither suspended nor revoked): the
    // torrent carrying a hash target (or the bare hash), or every torrent of an object or actor.
    private async Task<List<InfoHash>> ServedHashesOfAsync(ModerationTarget target, CancellationToken cancellationToken)
    {
        var hashes = new List<InfoHash>();
        if (target.Kind == TargetKind.Hash)
        {
            if (InfoHash.TryParseHex(target.Value, out var hash))
            {
                var torrent = await _registry.FindAsync(hash, cancellationToken);
                AddServed(hashes, torrent?.Hashes ?? [hash]);
            }

            return hashes;
        }

        var query = target.Kind == TargetKind.ObjectUri
            ? new TorrentQuery { ObjectUri = target.Value, Limit = 500 }
            : new TorrentQuery { ActorUri = target.Value, Limit = 500 };
        while (true)
        {
            var page = await _registry.ListAsync(query, cancellationToken);
            foreach (var torrent in page.Items)
            {
                AddServed(hashes, torrent.Hashes);
            }

            if (page.Next is not { } next)
            {
                return hashes;
            }

            query = query with { After = next };
        }
    }

    private void AddServed(List<InfoHash> hashes, IReadOnlyList<InfoHash> candidates)
    {
        foreach (var hash in candidates)
        {
            if (_sync.List.Get(hash) is AccessState.Active or AccessState.Unknown)
            {
                hashes.Add(hash);
            }
        }
    }

    private async Task PropagateAsync(CancellationToken cancellationToken)
    {
        await _sync.CatchUpAsync(cancellationToken);
        foreach (var observer in _observers)
        {
            try
            {
                await observer.OnAccessChangedAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Other nodes also poll the feed; a lost notice only delays them by one poll.
                Log.ObserverFailed(_logger, observer.GetType().Name, ex);
            }
        }
    }

    private async Task NotifyAsync(ModerationRequest request, ModerationResult result, CancellationToken cancellationToken)
    {
        foreach (var observer in _observers)
        {
            try
            {
                await observer.OnAccessChangedAsync(cancellationToken);
                await observer.OnModeratedAsync(request, result, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.ObserverFailed(_logger, observer.GetType().Name, ex);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Moderation {Kind} of {TargetKind} from {Source} recorded as #{Id}: {Hashes} hashes changed, {Peers} peers dropped")]
        public static partial void Moderated(ILogger logger, ModerationKind kind, TargetKind targetKind, ModerationSource source, long id, int hashes, int peers);

        [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Registry observer {Observer} failed")]
        public static partial void ObserverFailed(ILogger logger, string observer, Exception exception);
    }
}
