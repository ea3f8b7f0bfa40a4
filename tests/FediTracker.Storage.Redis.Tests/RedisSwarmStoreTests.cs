using FediTracker.Storage.Redis.Tests.Infrastructure;

namespace FediTracker.Storage.Redis.Tests;

/// <summary>The swarm store contract and the Redis store's own behaviour against a standalone <c>redis-server</c>.</summary>
[TestFixture]
public sealed class RedisSwarmStoreTests : RedisSwarmStoreTestsBase
{
    protected override Task<RedisDeployment> StartRedisAsync() => RedisDeployment.StartStandaloneAsync();
}
