using Microsoft.Extensions.Logging;

namespace FediTracker.Core.Registry;

/// <summary>
/// Keeps the node's <see cref="AccessList"/> in step with the registry by replaying the access feed in version
/// order, one reader at a time. Called after every local write (so a moderation is in force on this node before
/// its API call returns), when another node announces a change (Redis pub/sub), and on a timer as a backstop.
/// </summary>
public sealed partial class AccessSynchronizer : IDisposable
{
    private const int BatchSize = 5000;

    private readonly ITorrentRegistry _registry;
    private readonly AccessList _list;
    private readonly ILogger<AccessSynchronizer> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public AccessSynchronizer(ITorrentRegistry registry, AccessList list, ILogger<AccessSynchronizer> logger)
    {
        _registry = registry ?? throw new ArgumentNullException(nameof(registry));
        _list = list ?? throw new ArgumentNullException(nameof(list));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    public AccessList List => _list;

    /// <summary>Reads and applies every change newer than the list's version. Returns how many were applied.</summary>
    /// <exception cref="RegistryUnavailableException">The registry cannot be read; the list keeps its last state.</exception>
    public async Task<int> CatchUpAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var applied = 0;
            while (true)
            {
                var batch = await _registry.ReadAccessChangesAsync(_list.Version, BatchSize, cancellationToken);
                _list.Apply(batch);
                applied += batch.Changes.Count;
                if (batch.Changes.Count < BatchSize)
                {
                    break;
                }
            }

            if (applied > 0)
            {
                Log.CaughtUp(_logger, applied, _list.Version);
            }

            return applied;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private static partial class Log
    {
        [LoggerMessage(EventId = 2203, Level = LogLevel.Debug, Message = "Applied {Count} access changes, now at version {Version}")]
        public static partial void CaughtUp(ILogger logger, int count, long version);
    }
}
