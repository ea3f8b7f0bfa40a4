using FediTracker.Storage.Redis;

namespace FediTracker.Server.Hosting;

/// <summary>
/// Runs the Redis swarm census (<see cref="RedisSwarmCensus"/>) once at start and then every
/// <c>Store:RedisCensusSeconds</c>, away from any request, so the torrents and peers gauges show cluster-wide figures.
/// A failed census is logged by the census and retried at the next tick.
/// </summary>
internal sealed class RedisCensusService : BackgroundService
{
    private readonly RedisSwarmCensus _census;
    private readonly TimeSpan _period;
    private readonly TimeProvider _time;

    public RedisCensusService(RedisSwarmCensus census, TimeSpan period, TimeProvider time)
    {
        _census = census;
        _period = period;
        _time = time;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_period, _time);
        try
        {
            do
            {
                await _census.RunAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
