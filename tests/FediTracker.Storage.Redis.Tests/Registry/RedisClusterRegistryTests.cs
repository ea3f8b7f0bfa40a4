using FediTracker.Storage.Redis.Tests.Infrastructure;
using StackExchange.Redis;

namespace FediTracker.Storage.Redis.Tests.Registry;

/// <summary>
/// The Redis registry against a three-primary Redis Cluster: every script runs on the one shard that owns the
/// registry's slot; the slot of each key is asked of the server (CLUSTER KEYSLOT).
/// </summary>
[TestFixture]
public sealed class RedisClusterRegistryTests : RedisRegistryTestsBase
{
    private RedisCluster? _cluster;

    protected override async Task<string> StartRedisAsync()
    {
        _cluster = await RedisCluster.StartNewAsync();
        return _cluster.Configuration;
    }

    protected override async ValueTask StopRedisAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    protected override async Task<long> KeySlotAsync(string key, IServer server) =>
        (long)await server.ExecuteAsync("CLUSTER", "KEYSLOT", key);
}
