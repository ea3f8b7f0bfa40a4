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
    protected override Task<RedisDeployment> StartRedisAsync() => RedisDeployment.StartClusterAsync();

    protected override async Task<long> KeySlotAsync(string key, IServer server) =>
        (long)await server.ExecuteAsync("CLUSTER", "KEYSLOT", key);
}
