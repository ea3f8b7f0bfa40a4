using FediTracker.Storage.Redis.Tests.Infrastructure;

namespace FediTracker.Storage.Redis.Tests.Registry;

/// <summary>The Redis registry against one standalone redis-server.</summary>
[TestFixture]
public sealed class RedisStandaloneRegistryTests : RedisRegistryTestsBase
{
    protected override Task<RedisDeployment> StartRedisAsync() => RedisDeployment.StartStandaloneAsync();
}
