using FediTracker.Core.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace FediTracker.Storage.Redis;

/// <summary>
/// Cluster-wide totals of the Redis swarm store for the torrents and peers gauges: a census, run on a timer by the
/// host, that SCANs every primary for the torrents' peer sets (<see cref="RedisKeys.PeerSetPattern"/>) and counts each
/// torrent's live peers with one short read-only script (<see cref="RedisScripts.Census"/>), pipelined a batch at a
/// time. <see cref="GetTotals"/> answers from the last finished census, so the gauges cost nothing when scraped.
/// <para>
/// What it counts: live peers (announced within the peer timeout) of torrents that are not revoked; expired peers still
/// stored, revoked torrents and the registry's keys are left out. Every node runs its own census of the same Redis, so
/// every node reports the same, cluster-wide figures (never add them up across nodes); they are as old as the last
/// census. SCAN may miss or repeat a torrent whose keys come and go while it runs; the figures are a close estimate,
/// not an exact count.
/// </para>
/// <para>
/// Cost per census: one SCAN pass over the keyspace of every primary and one script of a few O(log N) commands per
/// torrent; at most <c>maxKeys</c> keys are looked at (a census that reaches the cap publishes the partial figures and
/// logs a warning). A census that fails (Redis unreachable, a timeout) logs a warning and keeps the last figures.
/// </para>
/// </summary>
public sealed class RedisSwarmCensus : ISwarmTotals
{
    /// <summary>Scripts in flight at a time.</summary>
    internal const int BatchSize = 256;

    /// <summary>Keys asked for per SCAN call.</summary>
    internal const int PageSize = 1000;

    private static readonly RedisValue Family4 = "4";
    private static readonly RedisValue Family6 = "6";

    private readonly IConnectionMultiplexer _multiplexer;
    private readonly IDatabase _database;
    private readonly RedisKeys _keys;
    private readonly TimeProvider _time;
    private readonly long _peerTimeoutSeconds;
    private readonly int _maxKeys;
    private readonly ILogger _logger;
    private readonly RedisValue _pattern;
    private volatile Snapshot _last = new(default, null);

    /// <param name="multiplexer">The swarm store's connection; not owned.</param>
    /// <param name="options">The key prefix (the same as the swarm store's).</param>
    /// <param name="time">The clock the expiry cutoff is taken from.</param>
    /// <param name="peerTimeout">The swarm store's peer timeout.</param>
    /// <param name="maxKeys">Most keys one census looks at.</param>
    /// <param name="logger">Where failures are logged.</param>
    public RedisSwarmCensus(
        IConnectionMultiplexer multiplexer,
        RedisStoreOptions options,
        TimeProvider time,
        TimeSpan peerTimeout,
        int maxKeys,
        ILogger<RedisSwarmCensus>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(multiplexer);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(peerTimeout, TimeSpan.FromSeconds(1));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxKeys, 1);
        _multiplexer = multiplexer;
        _database = multiplexer.GetDatabase();
        _keys = new RedisKeys(options.KeyPrefix);
        _time = time;
        _peerTimeoutSeconds = (long)peerTimeout.TotalSeconds;
        _maxKeys = maxKeys;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _pattern = _keys.PeerSetPattern;
    }

    /// <summary>When the last census that published figures finished; null before the first.</summary>
    public DateTimeOffset? LastCompleted => _last.Completed;

    /// <inheritdoc/>
    /// <remarks>The figures of the last census that finished (zeros before the first).</remarks>
    public SwarmTotals GetTotals() => _last.Totals;

    /// <summary>
    /// Runs one census and publishes its figures. False when it failed (logged at Warning; the last figures stay).
    /// Throws <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> stops it.
    /// </summary>
    public async Task<bool> RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            var totals = await CountAsync(cancellationToken);
            _last = new Snapshot(totals, _time.GetUtcNow());
            RedisLog.CensusDone(_logger, totals.Torrents, totals.Seeders, totals.Leechers);
            return true;
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException or RedisCommandException or TimeoutException or InvalidOperationException)
        {
            RedisLog.CensusFailed(_logger, ex);
            return false;
        }
    }

    private async Task<SwarmTotals> CountAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var cutoff = (RedisValue)(_time.GetUtcNow().ToUnixTimeSeconds() - _peerTimeoutSeconds);
        var primaries = new List<IServer>();
        foreach (var server in _multiplexer.GetServers())
        {
            if (!server.IsReplica)
            {
                if (!server.IsConnected)
                {
                    throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, $"The Redis primary {server.EndPoint} is not connected.");
                }

                primaries.Add(server);
            }
        }

        if (primaries.Count == 0)
        {
            throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "No Redis primary is connected.");
        }

        var tally = new Tally();
        var pending = new List<Task<RedisResult>>(BatchSize);
        var seen = 0;
        foreach (var server in primaries)
        {
            await foreach (var key in server.KeysAsync(pattern: _pattern, pageSize: PageSize).WithCancellation(cancellationToken))
            {
                if (seen == _maxKeys)
                {
                    await tally.AddAsync(pending);
                    RedisLog.CensusCapped(_logger, _maxKeys);
                    return tally.Totals;
                }

                seen++;
                if (!_keys.TryParsePeerSet(key.ToString(), out var infoHash, out var which))
                {
                    continue;
                }

                pending.Add(_database.ScriptEvaluateAsync(RedisScripts.Census, _keys.ForSwarm(infoHash), [cutoff, which == RedisKeys.PeersV6 ? Family6 : Family4]));
                if (pending.Count == BatchSize)
                {
                    await tally.AddAsync(pending);
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }
        }

        await tally.AddAsync(pending);
        return tally.Totals;
    }

    private sealed record Snapshot(SwarmTotals Totals, DateTimeOffset? Completed);

    private sealed class Tally
    {
        private long _torrents;
        private long _seeders;
        private long _leechers;

        public SwarmTotals Totals => new(_torrents, _seeders, _leechers);

        public async Task AddAsync(List<Task<RedisResult>> pending)
        {
            try
            {
                await Task.WhenAll(pending);
                foreach (var task in pending)
                {
                    // An empty reply: revoked, or counted from another of the torrent's sets.
                    if ((RedisResult[]?)task.Result is { Length: 2 } counts)
                    {
                        var seeders = (long)counts[0];
                        var leechers = (long)counts[1];
                        if (seeders + leechers > 0)
                        {
                            _torrents++;
                            _seeders += seeders;
                            _leechers += leechers;
                        }
                    }
                }
            }
            finally
            {
                pending.Clear();
            }
        }
    }
}
