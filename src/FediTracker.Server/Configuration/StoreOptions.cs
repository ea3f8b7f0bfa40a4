namespace FediTracker.Server.Configuration;

/// <summary>Which swarm store to use. Section <c>Store</c>; flags <c>--store</c> and <c>--redis</c>.</summary>
public sealed class StoreOptions
{
    public const string SectionName = "Store";

    /// <summary><c>memory</c> (default: single node, nothing to set up) or <c>redis</c> (many nodes share one Redis).</summary>
    public string Kind { get; set; } = "memory";

    /// <summary>
    /// For <c>redis</c>: a StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379</c>, several nodes of a
    /// Redis Cluster (<c>10.0.0.1:6379,10.0.0.2:6379</c>), or Sentinel (<c>sentinel1:26379,serviceName=mymaster</c>).
    /// </summary>
    public string Redis { get; set; } = string.Empty;

    /// <summary>For <c>redis</c>: the prefix of every key (default <c>ft</c>); lets several trackers share a Redis.</summary>
    public string RedisKeyPrefix { get; set; } = "ft";

    /// <summary>For <c>redis</c>: milliseconds a Redis call may take before the announce fails as unavailable (1 000).</summary>
    public int RedisTimeoutMilliseconds { get; set; } = 1_000;

    /// <summary>
    /// For <c>redis</c>: seconds between two censuses of the swarms in Redis, which feed the torrents and peers gauges
    /// with cluster-wide figures (30); 0 turns the census off, and the gauges with it.
    /// </summary>
    public int RedisCensusSeconds { get; set; } = 30;

    /// <summary>For <c>redis</c>: most keys one census looks at (1 000 000, about 250 000 to 1 000 000 torrents).</summary>
    public int RedisCensusMaxKeys { get; set; } = 1_000_000;
}
