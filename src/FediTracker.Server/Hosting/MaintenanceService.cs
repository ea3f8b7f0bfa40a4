using FediTracker.Core;
using FediTracker.Core.Swarms;
using Microsoft.Extensions.Options;

namespace FediTracker.Server.Hosting;

/// <summary>
/// Housekeeping on a timer, away from any request: the memory store's expiry sweep (when that store is in use) and
/// forgetting idle rate-limit entries.
/// </summary>
internal sealed partial class MaintenanceService : BackgroundService
{
    private readonly MemorySwarmStore? _store;
    private readonly Tracker _tracker;
    private readonly TimeSpan _period;
    private readonly TimeProvider _time;
    private readonly ILogger<MaintenanceService> _logger;

    public MaintenanceService(ISwarmStore store, Tracker tracker, IOptions<TrackerOptions> options, TimeProvider time, ILogger<MaintenanceService> logger)
    {
        _store = store as MemorySwarmStore;
        _tracker = tracker;
        _period = TimeSpan.FromSeconds(options.Value.SweepIntervalSeconds);
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_period, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (_store is not null)
                {
                    var removed = _store.RemoveExpired();
                    Log.Swept(_logger, removed, _store.PeerCount, _store.SwarmCount);
                }

                var idle = _tracker.RateLimiter.RemoveIdle();
                Log.RateLimitsTrimmed(_logger, idle, _tracker.RateLimiter.Count);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Expired {Removed} peers; {Peers} peers in {Swarms} swarms remain")]
        public static partial void Swept(ILogger logger, long removed, long peers, int swarms);

        [LoggerMessage(EventId = 2002, Level = LogLevel.Debug, Message = "Forgot {Idle} idle rate-limit entries; {Tracked} addresses tracked")]
        public static partial void RateLimitsTrimmed(ILogger logger, int idle, int tracked);
    }
}
