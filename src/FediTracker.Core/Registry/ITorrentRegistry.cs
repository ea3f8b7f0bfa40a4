using FediTracker.Protocol;

namespace FediTracker.Core.Registry;

/// <summary>
/// The durable registry: torrents and their links, moderations (revoke, suspend, restore), the audit log, passkeys,
/// and the access feed nodes replay. Embedded as one SQLite file, or in Redis for the cluster shape. Every write
/// is durable before its task completes, and a write together with its audit entry is atomic. Safe to call
/// concurrently.
/// </summary>
public interface ITorrentRegistry
{
    /// <summary>Registers a torrent (see <see cref="RegisterOutcome"/>); audited when created.</summary>
    Task<RegisterResult> RegisterAsync(TorrentRegistration registration, string by, ModerationSource source, CancellationToken cancellationToken);

    /// <summary>The torrent carrying this hash (v1 or v2), or null.</summary>
    Task<TorrentRecord?> FindAsync(InfoHash hash, CancellationToken cancellationToken);

    /// <summary>The state of one hash, whether or not a torrent carries it.</summary>
    Task<AccessState> GetStateAsync(InfoHash hash, CancellationToken cancellationToken);

    /// <summary>Torrents matching the query, by ascending id.</summary>
    Task<Page<TorrentRecord>> ListAsync(TorrentQuery query, CancellationToken cancellationToken);

    /// <summary>The stored .torrent file of the torrent carrying this hash, or null.</summary>
    Task<byte[]?> GetMetainfoAsync(InfoHash hash, CancellationToken cancellationToken);

    /// <summary>
    /// Applies a revocation, suspension or restore to its target. Revoke and suspend of an object or actor also block
    /// torrents registered for it later; of a hash, the bare hash even when no torrent carries it. A revoke overrides
    /// a suspension; a suspension never weakens a revocation. A restore undoes what moderations of the same target
    /// did (a restore by hash undoes any). A repeat changes nothing and writes nothing.
    /// </summary>
    Task<ModerationResult> ModerateAsync(ModerationRequest request, CancellationToken cancellationToken);

    /// <summary>Moderation records by ascending id after <paramref name="after"/>.</summary>
    Task<Page<ModerationRecord>> ListModerationsAsync(long after, int limit, CancellationToken cancellationToken);

    /// <summary>Audit entries by ascending id after <paramref name="after"/>.</summary>
    Task<Page<AuditEntry>> ReadAuditAsync(long after, int limit, CancellationToken cancellationToken);

    /// <summary>The access feed after <paramref name="afterVersion"/> (0: everything), at most <paramref name="limit"/> entries.</summary>
    Task<AccessChangeBatch> ReadAccessChangesAsync(long afterVersion, int limit, CancellationToken cancellationToken);

    /// <summary>Stores a passkey's SHA-256 digest (32 bytes); audited.</summary>
    Task<PasskeyRecord> AddPasskeyAsync(byte[] digest, string label, string by, CancellationToken cancellationToken);

    /// <summary>Deletes a passkey; false when no such id. Audited.</summary>
    Task<bool> RemovePasskeyAsync(long id, string by, CancellationToken cancellationToken);

    Task<IReadOnlyList<PasskeyRecord>> ListPasskeysAsync(CancellationToken cancellationToken);
}

/// <summary>Thrown by a registry that cannot be reached or written (disk full, Redis down). Nothing was changed.</summary>
public sealed class RegistryUnavailableException : Exception
{
    public RegistryUnavailableException()
    {
    }

    public RegistryUnavailableException(string message)
        : base(message)
    {
    }

    public RegistryUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
