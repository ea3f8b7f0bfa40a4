using FediTracker.Core;
using FediTracker.Core.Swarms;
using Microsoft.Extensions.Options;

namespace FediTracker.Server.Hosting;

/// <summary>Runs the memory store's expiry sweep on a timer, away from any request.</summary>
internal sealed partial class MemoryStoreSweeper : BackgroundService
{
    private readonly MemorySwarmStore _store;
    private readonly TimeSpan _period;
    private readonly TimeProvider _time;
    private readonly ILogger<MemoryStoreSweeper> _logger;

    public MemoryStoreSweeper(MemorySwarmStore store, IOptions<TrackerOptions> options, TimeProvider time, ILogger<MemoryStoreSweeper> logger)
    {
        _store = store;
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
                var removed = _store.RemoveExpired();
                Log.Swept(_logger, removed, _store.PeerCount, _store.SwarmCount);
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
    }
}
