using FediTracker.Core;
using FediTracker.Core.Registry;
using Microsoft.Extensions.Options;

namespace FediTracker.Server.Hosting;

/// <summary>
/// Loads the registry's access feed into this node's <see cref="AccessList"/> before the listeners open, then keeps
/// it current: at once when <c>Poke</c> is called (another node's notice), and every
/// <see cref="TrackerOptions.AccessSyncSeconds"/> as a backstop. Until the first load succeeds, the node fails closed in
/// registered and private mode (nothing is known to be registered) and <c>/health</c> reports it.
/// </summary>
/// <param name="RequireInitialLoad">True when the node must not start without the registry (a local SQLite file);
/// false when it may start while the registry is unreachable (Redis) and catch up later.</param>
internal sealed record AccessSyncOptions(bool RequireInitialLoad);

internal sealed partial class AccessSyncService : BackgroundService
{
    private readonly bool _requireInitialLoad;
    private readonly AccessSynchronizer _sync;
    private readonly TimeSpan _interval;
    private readonly ILogger<AccessSyncService> _logger;
    private readonly SemaphoreSlim _poke = new(0, 1);
    private volatile bool _loaded;

    public AccessSyncService(AccessSynchronizer sync, IOptions<TrackerOptions> options, AccessSyncOptions syncOptions, ILogger<AccessSyncService> logger)
    {
        _requireInitialLoad = syncOptions.RequireInitialLoad;
        _sync = sync;
        _interval = TimeSpan.FromSeconds(options.Value.AccessSyncSeconds);
        _logger = logger;
    }

    /// <summary>True once the feed has been read in full at least once.</summary>
    public bool Loaded => _loaded;

    /// <summary>Asks for a catch-up now (coalesced with any pending one).</summary>
    public void Poke()
    {
        try
        {
            _poke.Release();
        }
        catch (SemaphoreFullException)
        {
            // One is pending already.
        }
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // The first load happens before the listeners open, so a restarted node never serves a revoked hash.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        if (_requireInitialLoad)
        {
            await _sync.CatchUpAsync(timeout.Token);
            _loaded = true;
        }
        else
        {
            await TryCatchUpAsync(timeout.Token);
        }

        Log.Loaded(_logger, _sync.List.Count, _sync.List.PasskeyCount, _sync.List.Version);
        await base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _poke.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _poke.WaitAsync(_interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await TryCatchUpAsync(stoppingToken);
        }
    }

    private async Task TryCatchUpAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _sync.CatchUpAsync(cancellationToken);
            _loaded = true;
        }
        catch (RegistryUnavailableException ex)
        {
            Log.Unavailable(_logger, ex);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping, or the first load timed out (logged by the caller's state).
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "Access list: {Hashes} hashes, {Passkeys} passkeys, feed version {Version}")]
        public static partial void Loaded(ILogger logger, int hashes, int passkeys, long version);

        [LoggerMessage(EventId = 2202, Level = LogLevel.Warning, Message = "The registry is unavailable; the access list keeps its last state")]
        public static partial void Unavailable(ILogger logger, Exception exception);
    }
}
